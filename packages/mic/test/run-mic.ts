// Runs mic as a subprocess, as an agent would. The forge runs in the test process, so mic
// must run asynchronously (spawnSync would block the server it talks to).
import { spawn } from "node:child_process";
import { join } from "node:path";

// The installed entry point, as users run it (it loads tsx from its own location).
const BIN = join(import.meta.dirname, "..", "bin", "mic.js");

export interface MicResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A mic to run in a directory with `env` (and `input` on its stdin, if given). */
export function micRunner(env: Record<string, string>, input?: string) {
  return (cwd: string, ...args: string[]) =>
    new Promise<MicResult>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd,
        env: { ...process.env, MIC_SERVER: "", MIC_TOKEN: "", ...env },
      });
      child.stdin.end(input);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}
