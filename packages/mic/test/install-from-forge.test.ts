// Installing mic from the forge it works with, as /skill.md says: download /mic.mjs, make it
// executable with a `mic` link beside it, and it runs by itself (no repository, no
// node_modules) — it prints its version and talks to the forge.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SLOW = 120_000;
const work = mkdtempSync(join(tmpdir(), "mic-install-"));
const VERSION = JSON.parse(
  spawnSync(process.execPath, ["-p", "JSON.stringify(require('./package.json').version)"], {
    cwd: join(import.meta.dirname, ".."),
    encoding: "utf8",
  }).stdout,
);

/** Runs a command asynchronously (the forge answers from this process). */
const run = (cmd: string, args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, {
      cwd: work,
      // Only node's directory on PATH: nothing of the repository is reachable.
      env: {
        PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: work,
        MIC_CONFIG_DIR: join(work, "c"),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });

describe("mic installed from the forge", () => {
  let f: TestForge;
  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(import.meta.dirname, "..", "build.mjs")]);
    expect(built.status).toBe(0);
    f = await startTestForge();
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it(
    "downloads /mic.mjs, which runs by itself and prints its version",
    async () => {
      const res = await fetch(`${f.url}/mic.mjs`);
      expect(res.status).toBe(200);
      const bin = join(work, "bin");
      spawnSync("mkdir", ["-p", bin]);
      writeFileSync(join(bin, "mic.mjs"), Buffer.from(await res.arrayBuffer()));
      chmodSync(join(bin, "mic.mjs"), 0o755);
      symlinkSync("mic.mjs", join(bin, "mic"));
      const withNode = await run(process.execPath, [join(bin, "mic.mjs"), "--version"]);
      expect([withNode.status, withNode.stdout.trim()], withNode.stderr).toEqual([0, VERSION]);
      const asCommand = await run(join(bin, "mic"), ["--version"]);
      expect([asCommand.status, asCommand.stdout.trim()], asCommand.stderr).toEqual([0, VERSION]);
      // And it reaches the forge (a scheme-less --server, and a 404 that names what is missing).
      const missing = await run(join(bin, "mic"), [
        "--server",
        f.url.replace("http://", ""),
        "log",
        "--project",
        "no/such",
      ]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain(`project no/such not found on ${f.url}`);
    },
    SLOW,
  );
});
