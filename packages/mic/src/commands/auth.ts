// `mic auth login|status|logout`: log in (device flow or a given token), show and forget
// the stored server and token.
import type { Command } from "commander";
import { request } from "../client.ts";
import { effectiveToken, serverFrom } from "../context.ts";
import { credentialsPath, deleteCredentials, writeCredentials } from "../credentials.ts";
import { deviceLogin } from "../device-login.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { findWorkspace } from "../workspace.ts";

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
    .description(
      "show the credential commands use ($MIC_TOKEN wins over the stored one), checking it with the server",
    )
    .addHelpText(
      "after",
      `
The server is --server, $MIC_SERVER, the checkout's, or the logged-in one; the token is
$MIC_TOKEN when set, else the one stored for that server. "source" says which.
Exit codes: 0 the token works, 1 no server given, 2 not logged in (no token, or the server
refused it), 4 server unreachable.`,
    )
    .action(async () => {
      const ws = await findWorkspace().catch(() => null);
      const server = serverFrom(program, ws?.state.server)?.replace(/\/+$/, "");
      if (!server)
        throw new CliError(
          "not logged in (run: mic auth login --server URL, or set MIC_SERVER and MIC_TOKEN)",
          EXIT.notFound,
        );
      const t = effectiveToken(server);
      const credentials = t.source === "stored" ? credentialsPath() : null;
      if (!t.token)
        throw new CliError(
          `not logged in to ${new URL(server).host} (run: mic auth login --server ${server}, or set MIC_TOKEN)`,
          EXIT.notFound,
          { server, source: null },
        );
      const tokenSource = t.source === "MIC_TOKEN" ? "MIC_TOKEN" : (credentials ?? undefined);
      const user = await request<{ handle: string }>(
        { server, token: t.token, tokenSource },
        "GET",
        "/api/v1/user",
      );
      const from = t.source === "MIC_TOKEN" ? "the MIC_TOKEN environment variable" : credentials;
      print(
        program,
        { server, handle: user.handle, source: t.source, credentials },
        `Logged in to ${server} as ${user.handle} (token from ${from})`,
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
