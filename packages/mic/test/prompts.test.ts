// `mic prompts search` and `mic prompts templates` as an agent runs them: past prompts of a
// project (or, with --all, of every project it can read) with their outcomes, filtered by
// outcome; the project's templates with their placeholders; --json prints the forge's
// documents; bad options are usage errors and a private project of someone else is not found.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-prompts-"));
const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe("mic prompts", () => {
  let f: TestForge;
  let alice = "";
  let bob = "";
  const ids: string[] = [];

  beforeAll(async () => {
    f = await startTestForge();
    alice = (await userWithToken(f.url, "alice")).token;
    bob = (await userWithToken(f.url, "bob")).token;
    for (const [handle, visibility] of [
      ["app", "public"],
      ["vault", "private"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token: alice, json: { handle, visibility } });
    await api(f.url, "POST", "/api/v1/projects/alice/app/prompt-templates", {
      token: alice,
      json: {
        id: "fix-bug",
        kind: "bug-fix",
        title: "Fix a bug",
        body: "Fix {{issue}}\nKeep the tests green.",
      },
    });
    for (const [project, goal, text] of [
      ["app", "Cache the index", "Cache the search index between runs"],
      ["app", "Drop the cache", "Remove the index cache entirely"],
      ["vault", "Secret cache", "Cache the VAULT keys"],
    ]) {
      const s = await api(f.url, "POST", `/api/v1/projects/alice/${project}/sessions`, {
        token: alice,
        json: {
          goal,
          agent: { name: "claude", model: "m1" },
          prompt: { text, template: project === "app" ? "fix-bug" : undefined },
        },
      });
      expect(s.status).toBe(201);
      ids.push(s.body.id);
    }
    await api(f.url, "POST", `/api/v1/projects/alice/app/sessions/${ids[1]}/abandon`, { token: alice });
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "searches a project's prompts, by outcome, in text and JSON",
    async () => {
      const mic = micRunner({ MIC_CONFIG_DIR: join(work, "alice"), MIC_TOKEN: alice });
      const human = await mic(
        work,
        "--server",
        f.url,
        "prompts",
        "search",
        "CACHE",
        "--project",
        "alice/app",
      );
      expect(human.status, human.stderr).toBe(0);
      const lines = human.stdout.trim().split("\n");
      expect(lines[0]).toBe(`${ids[1]}  abandoned  Drop the cache [claude:m1] template fix-bug`);
      expect(lines[1]).toBe("    Remove the index cache entirely");
      expect(lines[2]).toMatch(new RegExp(`^${ids[0]}  open +Cache the index`));
      expect(lines.at(-1)).toBe("0 landed, 0 rejected, 1 abandoned, 1 open");
      const openOnly = await mic(
        work,
        "--server",
        f.url,
        "--json",
        "prompts",
        "search",
        "--outcome",
        "open",
        "--project",
        "alice/app",
      );
      expect(openOnly.status, openOnly.stderr).toBe(0);
      expect(json(openOnly).items.map((i: { session_id: string }) => i.session_id)).toEqual([ids[0]]);
      const all = await mic(work, "--server", f.url, "--json", "prompts", "search", "cache", "--all");
      expect(all.status, all.stderr).toBe(0);
      expect(json(all).items.map((i: { project: string }) => i.project)).toEqual([
        "alice/vault",
        "alice/app",
        "alice/app",
      ]);
      const bad = await mic(
        work,
        "--server",
        f.url,
        "prompts",
        "search",
        "--outcome",
        "merged",
        "--project",
        "alice/app",
      );
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("--outcome is one of landed, rejected, abandoned, open");
    },
    SLOW,
  );

  it(
    "lists templates, and keeps a private project from other users",
    async () => {
      const mic = micRunner({ MIC_CONFIG_DIR: join(work, "alice"), MIC_TOKEN: alice });
      const human = await mic(work, "--server", f.url, "prompts", "templates", "--project", "alice/app");
      expect(human.status, human.stderr).toBe(0);
      expect(human.stdout).toBe(
        "fix-bug  (bug-fix)  Fix a bug  {{issue}}\n    Fix {{issue}}\n    Keep the tests green.\n",
      );
      const asJson = await mic(
        work,
        "--server",
        f.url,
        "--json",
        "prompts",
        "templates",
        "--project",
        "alice/app",
      );
      expect(json(asJson).templates).toEqual([
        expect.objectContaining({ id: "fix-bug", placeholders: ["issue"] }),
      ]);
      const bobMic = micRunner({ MIC_CONFIG_DIR: join(work, "bob"), MIC_TOKEN: bob });
      const hidden = await bobMic(
        work,
        "--server",
        f.url,
        "--json",
        "prompts",
        "search",
        "--project",
        "alice/vault",
      );
      expect(hidden.status).toBe(2);
      expect(json(hidden).error).toContain("project alice/vault not found");
      const everywhere = await bobMic(work, "--server", f.url, "--json", "prompts", "search", "--all");
      expect(everywhere.stdout).not.toContain("VAULT");
      expect(json(everywhere).counts).toEqual({ landed: 0, rejected: 0, abandoned: 1, open: 1 });
    },
    SLOW,
  );
});
