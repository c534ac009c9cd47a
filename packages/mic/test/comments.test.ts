// `mic session comments` against a real forge: a reviewer's prompt suggestion and change
// request on the open session, shown readably (with the suggested prompt) and as the API's
// list with --json, filtered with --kind; a wrong kind is a usage error (exit 1); --session
// reads another session of the project.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicResult, micRunner } from "./run-mic.ts";

const SLOW = 120_000;
const work = mkdtempSync(join(tmpdir(), "mic-comments-"));
const ok = (r: MicResult) => {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe("mic session comments", () => {
  let f: TestForge;
  let session: string;
  const dir = join(work, "app");
  let mic: ReturnType<typeof micRunner>;

  beforeAll(async () => {
    f = await startTestForge();
    const alice = await userWithToken(f.url, "alice");
    const bob = await userWithToken(f.url, "bob");
    await api(f.url, "POST", "/api/v1/projects", { token: alice.token, json: { handle: "app" } });
    mic = micRunner({ MIC_SERVER: f.url, MIC_TOKEN: alice.token, MIC_CONFIG_DIR: join(work, "cfg") });
    ok(await mic(work, "clone", "alice/app", "app"));
    session = JSON.parse(ok(await mic(dir, "--json", "session", "start", "Parse dates"))).id;
    const comments = `/api/v1/projects/alice/app/sessions/${session}/comments`;
    for (const json of [
      { kind: "change-request", body: "Handle leap years", path: "src/date.ts", line: 4 },
      {
        kind: "prompt-suggestion",
        body: "Be explicit",
        suggested_prompt: "Parse ISO 8601 dates.\nUTC only.",
      },
    ]) {
      const r = await api(f.url, "POST", comments, { token: bob.token, json });
      expect(r.status).toBe(201);
    }
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "shows the open session's comments, readably and as JSON",
    async () => {
      const human = ok(await mic(dir, "session", "comments"));
      expect(human).toContain(`2 comments on session ${session} (2 open)`);
      expect(human).toContain("1. [change-request] bob on src/date.ts:4");
      expect(human).toContain("    Handle leap years");
      expect(human).toContain("2. [prompt-suggestion] bob");
      expect(human).toContain("  suggested prompt:\n    Parse ISO 8601 dates.\n    UTC only.");
      const only = JSON.parse(
        ok(await mic(dir, "--json", "session", "comments", "--kind", "prompt-suggestion")),
      );
      expect(only).toEqual([
        expect.objectContaining({
          kind: "prompt-suggestion",
          author: "bob",
          suggested_prompt: "Parse ISO 8601 dates.\nUTC only.",
          resolved: false,
        }),
      ]);
      const wrong = await mic(dir, "session", "comments", "--kind", "praise");
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain("--kind must be one of comment, prompt-suggestion, change-request");
    },
    SLOW,
  );

  it(
    "reads another session's comments with --session",
    async () => {
      ok(await mic(dir, "abandon"));
      const none = await mic(dir, "session", "comments");
      expect(none.status).toBe(1);
      const other = JSON.parse(ok(await mic(dir, "--json", "session", "comments", "--session", session)));
      expect(other).toHaveLength(2);
    },
    SLOW,
  );
});
