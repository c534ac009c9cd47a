// What an unattended agent needs when things go wrong, driven through the real CLI against a
// real forge: a session closed on the server heals the checkout (land, sync, abandon, session
// start); a refused landing says the forge's reason and carries it as data; review pending
// has its own exit code; --json is total; MIC_TOKEN wins and a bad one is "not logged in".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-recovery-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const json = (r: { stdout: string; stderr: string; status: number | null }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const state = (dir: string) => JSON.parse(readFileSync(join(dir, ".git", "mic", "state.json"), "utf8"));

describe("mic recovers and explains", () => {
  let f: TestForge;
  let token: string;
  const one = join(work, "one");
  const projectApi = "/api/v1/projects/alice/app";

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "alice")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app", visibility: "private" } });
    expect((await mic(work, "--server", f.url, "auth", "login", "--token", token)).status).toBe(0);
    json(await mic(work, "--json", "clone", "alice/app", "one"));
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "a session closed on the server heals the checkout for land, sync, abandon and session start",
    async () => {
      const closeOnServer = async () => {
        const s = json(await mic(one, "--json", "session", "start", "Soon abandoned elsewhere"));
        const r = await api(f.url, "POST", `${projectApi}/sessions/${s.id}/abandon`, { token });
        expect(r.status).toBe(200);
        return s.id as string;
      };
      writeFileSync(join(one, "a.txt"), "a\n");
      for (const command of ["land", "sync"]) {
        const id = await closeOnServer();
        const r = await mic(one, "--json", command);
        expect(r.status, r.stderr).toBe(6);
        const doc = JSON.parse(r.stdout);
        expect(doc).toMatchObject({
          exit_code: 6,
          session: id,
          session_status: "abandoned",
          healed: true,
          type: "https://micelio.dev/problems/session-closed",
        });
        expect(r.stderr).toContain(`session ${id}`);
        expect(r.stderr).toContain("is abandoned on the server");
        expect(state(one).session).toBeUndefined();
        expect(readFileSync(join(one, "a.txt"), "utf8")).toBe("a\n");
      }
      const abandoned = await closeOnServer();
      expect(json(await mic(one, "--json", "abandon"))).toMatchObject({
        id: abandoned,
        status: "abandoned",
        healed: true,
      });
      expect(state(one).session).toBeUndefined();
      await closeOnServer();
      const next = await mic(one, "--json", "session", "start", "A fresh start");
      expect(next.stderr).toContain("is abandoned on the server");
      const started = json(next);
      expect(state(one).session.id).toBe(started.id);
      // An open session is not replaced: land or abandon it first (usage, not conflict).
      const again = await mic(one, "--json", "session", "start", "One too many");
      expect(again.status).toBe(1);
      expect(json({ ...again, status: 0 })).toMatchObject({ session: started.id, exit_code: 1 });
      expect(json(await mic(one, "--json", "land"))).toMatchObject({ position: 1 });
    },
    SLOW,
  );

  it(
    "a refused landing shows the forge's reason (path, line, rule) and carries it in --json, exit 7",
    async () => {
      json(await mic(one, "--json", "session", "start", "Leak a key"));
      writeFileSync(
        join(one, "config.env"),
        `AWS_ACCESS_KEY_ID=${["AKIA", "IOSFODNN7", "EXAMPLE"].join("")}\n`,
      );
      const r = await mic(one, "--json", "land");
      expect(r.status, r.stderr).toBe(7);
      expect(r.stderr).toContain("config.env:1");
      expect(r.stderr).not.toContain("failed to push some refs");
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({ exit_code: 7, type: "https://micelio.dev/problems/secrets-found" });
      expect(doc.secrets[0]).toMatchObject({ path: "config.env", line: 1 });
      expect(typeof doc.secrets[0].rule).toBe("string");
      json(await mic(one, "--json", "abandon"));
      rmSync(join(one, "config.env"));
    },
    SLOW,
  );

  it(
    "review pending has its own exit code (5) and problem type, distinct from a conflict",
    async () => {
      expect((await api(f.url, "PATCH", projectApi, { token, json: { require_review: true } })).status).toBe(
        200,
      );
      json(await mic(one, "--json", "session", "start", "Needs a review"));
      writeFileSync(join(one, "b.txt"), "b\n");
      const r = await mic(one, "--json", "land");
      expect(r.status, r.stderr).toBe(5);
      expect(JSON.parse(r.stdout)).toMatchObject({
        exit_code: 5,
        type: "https://micelio.dev/problems/review-required",
      });
      json(await mic(one, "--json", "abandon"));
      await api(f.url, "PATCH", projectApi, { token, json: { require_review: false } });
      rmSync(join(one, "b.txt"));
    },
    SLOW,
  );

  it(
    "land --dry-run shows the files (untracked flagged), conflicts and review state, landing nothing",
    async () => {
      const two = join(work, "two");
      json(await mic(work, "--json", "clone", "alice/app", "two"));
      json(await mic(one, "--json", "session", "start", "Change a"));
      json(await mic(two, "--json", "session", "start", "Change a too"));
      writeFileSync(join(two, "a.txt"), "from two\n");
      const theirs = json(await mic(two, "--json", "land"));
      writeFileSync(join(one, "a.txt"), "from one\n");
      writeFileSync(join(one, "scratch.log"), "notes\n");
      const head = (await api(f.url, "GET", projectApi, { token })).body.head_position;
      const preview = json(await mic(one, "--json", "land", "--dry-run"));
      expect(preview).toMatchObject({ dry_run: true, session_status: "open", review: { required: false } });
      expect(preview.files).toEqual([
        { path: "a.txt", status: "modified", untracked: false },
        { path: "scratch.log", status: "added", untracked: true },
      ]);
      expect(preview.conflicts).toEqual([
        expect.objectContaining({ path: "a.txt", position: theirs.position, goal: "Change a too" }),
      ]);
      const human = await mic(one, "land", "--dry-run");
      expect(human.stdout).toContain("scratch.log  (new, untracked)");
      expect((await api(f.url, "GET", projectApi, { token })).body.head_position).toBe(head);
      json(await mic(one, "--json", "abandon"));
      rmSync(join(one, "scratch.log"));
    },
    SLOW,
  );

  it(
    "land --sync syncs and lands in one step when the sync is clean",
    async () => {
      // Fresh checkouts on trunk's head (the earlier tests leave edits behind).
      const one = join(work, "three");
      const two = join(work, "four");
      json(await mic(work, "--json", "clone", "alice/app", "three"));
      json(await mic(work, "--json", "clone", "alice/app", "four"));
      const text = (top: string, bottom: string) => `${top}\n${"middle\n".repeat(8)}${bottom}\n`;
      json(await mic(one, "--json", "session", "start", "Write c"));
      writeFileSync(join(one, "c.txt"), text("top", "bottom"));
      json(await mic(one, "--json", "land"));
      json(await mic(one, "--json", "session", "start", "Change the top"));
      json(await mic(two, "--json", "session", "start", "Change the bottom"));
      writeFileSync(join(two, "c.txt"), text("top", "BOTTOM"));
      writeFileSync(join(one, "c.txt"), text("TOP", "bottom"));
      const first = json(await mic(one, "--json", "land"));
      expect((await mic(two, "--json", "land")).status).toBe(3);
      const landed = json(await mic(two, "--json", "land", "--sync"));
      expect(landed.position).toBe(first.position + 1);
      expect(readFileSync(join(two, "c.txt"), "utf8")).toBe(text("TOP", "BOTTOM"));
      const blob = await api(f.url, "GET", `${projectApi}/blob/main/c.txt`, { token });
      expect(blob.body.content).toBe(text("TOP", "BOTTOM"));
    },
    SLOW,
  );

  it("--json is total: unknown commands and options, missing arguments, --version, help", async () => {
    for (const args of [["nope"], ["--bogus", "status"], ["clone"], []]) {
      const r = await mic(work, "--json", ...args);
      expect(r.status, args.join(" ")).toBe(1);
      const doc = JSON.parse(r.stdout);
      expect(doc.exit_code).toBe(1);
      expect(typeof doc.error).toBe("string");
    }
    expect(JSON.parse((await mic(work, "--json", "clone")).stdout).error).toContain(
      "missing required argument 'project'",
    );
    expect(json(await mic(work, "--json", "--version"))).toEqual({ version: "0.1.0" });
    expect(json(await mic(work, "--json", "help")).help).toMatch(/^Usage: mic /);
    expect(json(await mic(work, "--json", "land", "--help")).help).toMatch(/^Usage: mic land/);
  });

  it(
    "MIC_TOKEN wins; auth status says which credential; a bad token is exit 2 before git runs",
    async () => {
      const other = (await userWithToken(f.url, "bob")).token;
      const withEnv = micRunner({ MIC_CONFIG_DIR: join(work, "config"), MIC_TOKEN: other });
      expect(json(await withEnv(one, "--json", "auth", "status"))).toMatchObject({
        handle: "bob",
        source: "MIC_TOKEN",
        credentials: null,
      });
      expect(json(await mic(one, "--json", "auth", "status"))).toMatchObject({
        handle: "alice",
        source: "stored",
      });
      // bob cannot see alice's private project: MIC_TOKEN, not the stored token, was used.
      expect((await withEnv(one, "status")).status).toBe(2);
      const bad = micRunner({ MIC_CONFIG_DIR: join(work, "config"), MIC_TOKEN: "mic_bad", MIC_TRACE: "1" });
      const host = new URL(f.url).host;
      const status = await bad(one, "--json", "auth", "status");
      expect(status.status).toBe(2);
      expect(status.stderr).toContain(`not logged in to ${host}`);
      const start = await bad(one, "session", "start", "With a bad token");
      expect(start.status).toBe(2);
      expect(start.stderr).toContain(`not logged in to ${host}`);
      expect(start.stderr).toContain("MIC_TOKEN");
      expect(start.stderr).not.toMatch(/ms {2}git (ls-remote|fetch|push)/);
    },
    SLOW,
  );
});
