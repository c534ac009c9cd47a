// `mic auth login|status|logout`: log in (device flow or a given token), show and forget
// the stored server and token.
import type { Command } from "commander";
import { request } from "../client.ts";
import { serverFrom } from "../context.ts";
import { credentialsPath, deleteCredentials, readCredentials, writeCredentials } from "../credentials.ts";
import { deviceLogin } from "../device-login.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";

export function registerAuth(program: Command) {
  const auth = program
    .command("auth")
    .description("log in to a forge, show or forget the stored credentials");

  auth
    .command("login")
    .description(
      "log in: approve this device in the browser, or verify a token; credentials are stored with file mode 0600",
    )
    .option("--token <token>", "a personal access token to store instead (default: $MIC_TOKEN)")
    .addHelpText(
      "after",
      `
Without --token (and without MIC_TOKEN) mic starts a device login: it prints a code and a
URL on stderr, you open the URL while logged in to the forge, check the code and approve,
and mic stores the token it receives. The token is named "mic device login (mic on HOST)"
and can be revoked under Settings → Access tokens.

--server URL (default: $MIC_SERVER or the logged-in server) and --json are global options.

Exit codes: 0 logged in, 1 no server given, 2 token refused or device login denied or
expired, 4 server unreachable.

Examples:
  mic auth login --server https://forge.example
  mic auth login --server https://forge.example --token mic_…
  mic --json auth login --server https://forge.example   # instructions on stderr, JSON on stdout`,
    )
    .action(async (opts: { token?: string }) => {
      const server = serverFrom(program);
      if (!server) throw new CliError("no server given: pass --server URL or set MIC_SERVER", EXIT.usage);
      let token = opts.token ?? process.env.MIC_TOKEN;
      let via: "token" | "device" = "token";
      if (!token) {
        token = (await deviceLogin(server)).access_token;
        via = "device";
      }
      const user = await request<{ handle: string }>({ server, token }, "GET", "/api/v1/user");
      const path = writeCredentials({ server, token, handle: user.handle });
      print(
        program,
        { server, handle: user.handle, credentials: path, via },
        `Logged in to ${server} as ${user.handle}`,
      );
    });

  auth
    .command("status")
    .description("show who you are logged in as, checking the token with the server")
    .action(async () => {
      const creds = readCredentials();
      if (!creds) throw new CliError("not logged in (run: mic auth login --server URL)", EXIT.notFound);
      const user = await request<{ handle: string }>(
        { server: creds.server, token: creds.token },
        "GET",
        "/api/v1/user",
      );
      print(
        program,
        { server: creds.server, handle: user.handle, credentials: credentialsPath() },
        `Logged in to ${creds.server} as ${user.handle}`,
      );
    });

  auth
    .command("logout")
    .description("forget the stored credentials")
    .action(() => {
      const removed = deleteCredentials();
      print(program, { logged_out: removed }, removed ? "Logged out" : "Not logged in");
    });
}
