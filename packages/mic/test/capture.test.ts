// `mic session capture` against a real forge: a command's output passes through to the
// terminal and lands in the open session's conversation, in order and complete (in several
// events when large), then a status event with its exit code; --json reports that code while
// mic exits 0; a command that cannot start is a usage error.
import { api } from "@micelio/forge/testing/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicProject, micProject, ok } from "./mic-project.ts";

const SLOW = 120_000;

describe("mic session capture", () => {
  let p: MicProject;
  let session: string;

  beforeAll(async () => {
    p = await micProject("cap");
    session = JSON.parse(ok(await p.mic(p.dir, "--json", "session", "start", "Run the tests"))).id;
  }, SLOW);
  afterAll(() => p.close(), SLOW);

  it(
    "records the command's output and exit code in the session",
    async () => {
      const script =
        "console.log('first line'); console.error('to stderr'); console.log('x'.repeat(80000)); process.exit(3)";
      const plain = await p.mic(p.dir, "session", "capture", "--", process.execPath, "-e", script);
      expect(plain.status, plain.stderr).toBe(0);
      expect(plain.stdout).toContain("first line");
      expect(plain.stderr).toContain("to stderr");
      expect(plain.stdout).toContain("exited with code 3");

      const events = (
        await api(p.forge.url, "GET", `/api/v1/projects/cap/app/sessions/${session}/events`, {
          token: p.token,
        })
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
        ok(
          await p.mic(p.dir, "--json", "session", "capture", "--", process.execPath, "-e", "process.exit(0)"),
        ),
      );
      expect(json).toMatchObject({ session, exit_code: 0, signal: null, events: 1 });

      const missing = await p.mic(p.dir, "session", "capture", "--", "no-such-command-here");
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("cannot run no-such-command-here");
    },
    SLOW,
  );
});
