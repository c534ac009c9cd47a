// `mic auth login|status|logout`: store, show and forget the server and token.
import type { Command } from "commander";
import { request } from "../client.ts";
import { credentialsPath, deleteCredentials, readCredentials, writeCredentials } from "../credentials.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";

export function serverFrom(program: Command): string | undefined {
  return program.opts().server ?? process.env.MIC_SERVER ?? readCredentials()?.server;
}

export function registerAuth(program: Command) {
  const auth = program
    .command("auth")
    .description("log in to a forge, show or forget the stored credentials");

  auth
    .command("login")
    .description("verify a personal access token and store it (file mode 0600)")
    .option("--token <token>", "a personal access token (default: $MIC_TOKEN)")
    .action(async (opts: { token?: string }) => {
      const server = serverFrom(program);
      if (!server) throw new CliError("no server given: pass --server URL or set MIC_SERVER", EXIT.usage);
      const token = opts.token ?? process.env.MIC_TOKEN;
      if (!token) {
        throw new CliError(
          `pass --token (create one at ${server.replace(/\/$/, "")}/settings/tokens)`,
          EXIT.usage,
        );
      }
      const user = await request<{ handle: string }>({ server, token }, "GET", "/api/v1/user");
      const path = writeCredentials({ server, token, handle: user.handle });
      print(
        program,
        { server, handle: user.handle, credentials: path },
        `Logged in to ${server} as ${user.handle}`,
      );
    });

  auth
    .command("status")
    .description("show who you are logged in as, checking the token with the server")
    .action(async () => {
      const creds = readCredentials();
      if (!creds)
        throw new CliError("not logged in (run: mic auth login --server URL --token TOKEN)", EXIT.notFound);
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
