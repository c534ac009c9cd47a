// Starts `micelio serve` as its own process for tests that need several forges on one
// database and data directory, or a forge they can SIGKILL. Resolves with its URL.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { api } from "./client.ts";

const MAIN = join(import.meta.dirname, "..", "main.ts");

export interface ForgeProcess {
  url: string;
  child: ChildProcess;
}

/** Runs the TypeScript sources through tsx, or with `bundle` the given built forge (dist/micelio.mjs). */
export function startForgeProcess(env: Record<string, string>, bundle?: string): Promise<ForgeProcess> {
  const args = bundle ? [bundle, "serve"] : ["--import", "tsx", MAIN, "serve"];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      MICELIO_RATE_LIMIT_USER: "1000000",
      MICELIO_RATE_LIMIT_ANON: "1000000",
      MICELIO_DAILY_THEME: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once("exit", (code) => reject(new Error(`forge exited ${code}: ${out}`)));
  });
}

/** Waits for a process to exit (after a kill). */
export async function exited(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once("exit", r));
}

/** Signs a user up and returns a token that may create projects and land sessions. */
export async function landingToken(url: string, handle: string): Promise<string> {
  const password = `${handle}-password-1`;
  await api(url, "POST", "/api/v1/signup", { json: { handle, email: `${handle}@example.test`, password } });
  const r = await api(url, "POST", "/api/v1/tokens", {
    basic: [handle, password],
    json: { name: "t", scopes: ["project:read", "project:write", "session:write"] },
  });
  return r.body.token;
}
