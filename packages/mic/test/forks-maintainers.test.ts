// Forks and maintainers with the real mic: a fork keeps its parent's landings (blame in the
// fork's checkout names the parent's sessions), a session proposed from the fork is listed,
// approved and landed by the parent's maintainer with mic sessions / approve / land SESSION.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-forks-"));
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("mic in forks, and for maintainers", () => {
  let f: TestForge;
  let alice = "";
  let bobMic: ReturnType<typeof micRunner>;
  let aliceMic: ReturnType<typeof micRunner>;
  const ids: string[] = [];

  beforeAll(async () => {
    f = await startTestForge();
    alice = (await userWithToken(f.url, "alice")).token;
    const bob = (await userWithToken(f.url, "bob")).token;
    bobMic = micRunner({ MIC_CONFIG_DIR: join(work, "bob"), MIC_SERVER: f.url, MIC_TOKEN: bob });
    aliceMic = micRunner({ MIC_CONFIG_DIR: join(work, "alice"), MIC_SERVER: f.url, MIC_TOKEN: alice });
    await api(f.url, "POST", "/api/v1/projects", { token: alice, json: { handle: "lib" } });
    for (const [goal, text] of [
      ["Write the parser", "one\ntwo\n"],
      ["Handle empty input", "one\ntwo\nempty\n"],
    ]) {
      const base = "/api/v1/projects/alice/lib/sessions";
      const s = await api(f.url, "POST", base, {
        token: alice,
        json: { goal, agent: { name: "claude" }, prompt: { text: goal } },
      });
      const changes = [{ path: "parse.ts", content: b64(text!) }];
      await api(f.url, "PUT", `${base}/${s.body.id}/changes`, { token: alice, json: { changes } });
      expect((await api(f.url, "POST", `${base}/${s.body.id}/land`, { token: alice })).status).toBe(200);
      ids.push(s.body.id);
    }
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "blame in a fork's checkout names the parent's sessions",
    async () => {
      const fork = await bobMic(work, "fork", "alice/lib", "--clone", "fork");
      expect(fork.status, fork.stderr).toBe(0);
      const blame = await bobMic(join(work, "fork"), "blame", "parse.ts");
      expect(blame.status, blame.stderr).toBe(0);
      expect(blame.stdout).toContain(`#1 alice [claude] session ${ids[0]} in alice/lib: Write the parser`);
      expect(blame.stdout).toContain(`#2 alice [claude] session ${ids[1]} in alice/lib: Handle empty input`);
      const show = await bobMic(join(work, "fork"), "--json", "show", "1");
      expect(show.status, show.stderr).toBe(0);
      expect(json(show).session).toMatchObject({ id: ids[0], goal: "Write the parser" });
    },
    SLOW,
  );

  it(
    "a maintainer lists, approves and lands a session proposed from a fork",
    async () => {
      const dir = join(work, "fork");
      expect((await bobMic(dir, "session", "start", "Add a fast path")).status).toBe(0);
      writeFileSync(join(dir, "parse.ts"), "one\ntwo\nempty\nfast\n");
      const proposed = await bobMic(dir, "--json", "propose");
      expect(proposed.status, proposed.stderr).toBe(0);
      const incoming = json(proposed).incoming.id as string;
      const patch = (path: string, body: unknown) => api(f.url, "PATCH", path, { token: alice, json: body });
      expect((await patch("/api/v1/projects/alice/lib", { require_review: true })).status).toBe(200);

      const open = await aliceMic(work, "--json", "sessions", "--project", "alice/lib", "--status", "open");
      expect(open.status, open.stderr).toBe(0);
      expect(json(open).sessions.map((s: { id: string }) => s.id)).toEqual([incoming]);
      expect((await aliceMic(work, "sessions", "--project", "alice/lib")).stdout).toContain(
        `${incoming}  open      Add a fast path  — bob (proposed from bob/lib)`,
      );

      const early = await aliceMic(work, "land", incoming, "--project", "alice/lib");
      expect(early.status).not.toBe(0);
      expect(early.stderr).toContain("Review required");
      const approved = await aliceMic(work, "approve", incoming, "--project", "alice/lib");
      expect(approved.status, approved.stderr).toBe(0);
      expect(approved.stdout).toContain(`Approved ${incoming} in alice/lib: Add a fast path`);
      const landed = await aliceMic(work, "--json", "land", incoming, "--project", "alice/lib");
      expect(landed.status, landed.stderr).toBe(0);
      expect(json(landed)).toMatchObject({ project: "alice/lib", session: incoming, position: 3 });
      const cat = await aliceMic(work, "cat", "parse.ts", "--project", "alice/lib");
      expect(cat.stdout).toBe("one\ntwo\nempty\nfast\n");

      const unknown = await aliceMic(work, "approve", "01JZZZZZZZZZZZZZZZZZZZZZZZ", "--project", "alice/lib");
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain(
        `session 01JZZZZZZZZZZZZZZZZZZZZZZZ not found in alice/lib on ${f.url}`,
      );
      const noSession = await aliceMic(work, "land", "--project", "alice/lib");
      expect(noSession.status).toBe(1);
    },
    SLOW,
  );
});
