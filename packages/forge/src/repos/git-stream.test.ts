// gitStream: stdout reaches onData, which can stop git early; stdin input goes in; the exit
// code and stderr of a failing run come back for the caller to judge; a time limit stops it
// and says so; a git that cannot start rejects.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GitError, gitStream } from "./git.ts";

describe("gitStream", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-git-stream-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("passes stdin in and stdout out, and reports a clean exit", async () => {
    const chunks: Buffer[] = [];
    const run = await gitStream(
      ["hash-object", "--stdin"],
      { cwd: dir, input: "hello\n", timeoutMs: 30_000 },
      (d) => {
        chunks.push(d);
        return true;
      },
    );
    expect(run).toEqual({ code: 0, stopped: false, timedOut: false, stderr: "" });
    expect(Buffer.concat(chunks).toString()).toBe("ce013625030ba8dba906f756967f9e9ca394464a\n");
  });

  it("stops when onData says so", async () => {
    let calls = 0;
    const run = await gitStream(["help", "-a"], { cwd: dir, timeoutMs: 30_000 }, () => {
      calls++;
      return false;
    });
    expect(calls).toBe(1);
    expect(run.stopped).toBe(true);
    expect(run.timedOut).toBe(false);
  });

  it("hands back the exit code and stderr of a failing run", async () => {
    const run = await gitStream(
      ["rev-parse", "--verify", "nope"],
      { cwd: dir, timeoutMs: 30_000 },
      () => true,
    );
    expect(run.code).not.toBe(0);
    expect(run.stopped).toBe(false);
    expect(run.stderr).toMatch(/not a git repository|Needed a single revision/);
  });

  it("stops at the time limit and says it timed out", async () => {
    const run = await gitStream(
      ["-c", "alias.wait=!sleep 1", "wait"],
      { cwd: dir, timeoutMs: 50 },
      () => true,
    );
    expect(run).toMatchObject({ stopped: true, timedOut: true });
  });

  it("rejects when git cannot start", async () => {
    const missing = join(dir, "missing");
    await expect(
      gitStream(["version"], { cwd: missing, timeoutMs: 30_000 }, () => true),
    ).rejects.toBeInstanceOf(GitError);
  });
});
