// What a command talks to: the server (--server, $MIC_SERVER, the checkout's server, or the
// logged-in one) and the token ($MIC_TOKEN always wins; else the stored one — only for the
// server it was stored for, so a stored token never travels to another forge).
import type { Command } from "commander";
import type { ClientOptions } from "./client.ts";
import { credentialsPath, readCredentials } from "./credentials.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { normalizeServer } from "./server-url.ts";

export interface Connection extends ClientOptions {
  handle?: string;
}

/** The token a command uses and where it comes from: $MIC_TOKEN wins over the stored one. */
export function effectiveToken(server: string): {
  token?: string;
  source?: "MIC_TOKEN" | "stored";
  handle?: string;
} {
  if (process.env.MIC_TOKEN) return { token: process.env.MIC_TOKEN, source: "MIC_TOKEN" };
  const creds = readCredentials();
  if (creds && origin(creds.server) === origin(server))
    return { token: creds.token, source: "stored", handle: creds.handle };
  return {};
}

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    throw new CliError(`not a URL: ${url}`, EXIT.usage);
  }
};

/** The server a command talks to, or undefined when none is given anywhere. */
export function serverFrom(program: Command, checkoutServer?: string): string | undefined {
  const given = program.opts().server || process.env.MIC_SERVER;
  return given ? normalizeServer(given) : checkoutServer || readCredentials()?.server;
}

/** `server` (a project URL's, for clone) wins over every other source when given. */
export function connection(program: Command, checkoutServer?: string, server?: string): Connection {
  server ??= serverFrom(program, checkoutServer);
  if (!server)
    throw new CliError(
      "no server given: pass --server URL, set MIC_SERVER or run mic auth login",
      EXIT.usage,
    );
  const t = effectiveToken(server);
  return {
    server: server.replace(/\/+$/, ""),
    token: t.token,
    tokenSource: t.source === "MIC_TOKEN" ? "MIC_TOKEN" : t.source ? credentialsPath() : undefined,
    handle: t.handle,
  };
}

export const isJson = (program: Command) => program.opts().json === true;

/** `owner/project` → its parts, refusing anything else. */
export function parseProject(value: string): { owner: string; project: string } {
  const m = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*?)(?:\.git)?$/.exec(value.trim());
  if (!m) throw new CliError(`expected owner/project, got "${value}"`, EXIT.usage);
  return { owner: m[1]!, project: m[2]! };
}

export const projectPath = (p: { owner: string; project: string }) =>
  `/api/v1/projects/${encodeURIComponent(p.owner)}/${encodeURIComponent(p.project)}`;
