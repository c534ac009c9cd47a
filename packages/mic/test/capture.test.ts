// `mic session capture` against a real forge: a command's output passes through to the
// terminal and lands in the open session's conversation, in order and complete (in several
// events when large), then a status event with its exit code; --json reports that code while
// mic exits 0; a command that cannot start is a usage error.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicResult, micRunner } from "./run-mic.ts";

const SLOW = 120_000;
const work = mkdtempSync(join(tmpdir(), "mic-capture-"));
const ok = (r: MicResult) => {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe("mic session capture", () => {
  let f: TestForge;
  let token: string;
  let session: string;
  const dir = join(work, "app");
  let mic: ReturnType<typeof micRunner>;

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "cap")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    mic = micRunner({ MIC_SERVER: f.url, MIC_TOKEN: token, MIC_CONFIG_DIR: join(work, "cfg") });
    ok(await mic(work, "clone", "cap/app", "app"));
    session = JSON.parse(ok(await mic(dir, "--json", "session", "start", "Run the tests"))).id;
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "records the command's output and exit code in the session",
    async () => {
      const script =
        "console.log('first line'); console.error('to stderr'); console.log('x'.repeat(80000)); process.exit(3)";
      const plain = await mic(dir, "session", "capture", "--", process.execPath, "-e", script);
      expect(plain.status, plain.stderr).toBe(0);
      expect(plain.stdout).toContain("first line");
      expect(plain.stderr).toContain("to stderr");
      expect(plain.stdout).toContain("exited with code 3");

      const events = (
        await api(f.url, "GET", `/api/v1/projects/cap/app/sessions/${session}/events`, { token })
      ).body as { kind: string; text: string; status?: string }[];
      const output = events.filter((e) => e.kind === "output");
      expect(output.length).toBeGreaterThan(1); // 80 KB come in more than one event
      const text = output.map((e) => e.text).join("");
      expect(text).toContain("first line\n");
      expect(text).toContain("to stderr\n");
      expect(text).toContain(`${"x".repeat(80000)}\n`);
      expect(events.at(-1)).toMatchObject({ kind: "status", status: "exited" });
      expect(events.at(-1)!.text).toContain("exited with code 3");

      const json = JSON.parse(
        ok(await mic(dir, "--json", "session", "capture", "--", process.execPath, "-e", "process.exit(0)")),
      );
      expect(json).toMatchObject({ session, exit_code: 0, signal: null, events: 1 });

      const missing = await mic(dir, "session", "capture", "--", "no-such-command-here");
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("cannot run no-such-command-here");
    },
    SLOW,
  );
});
