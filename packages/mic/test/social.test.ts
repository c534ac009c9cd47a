// mic search, star, unstar and fork against a real forge, run as an agent would (a
// subprocess), with --json documents and exit codes for mistakes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { runGit } from "@micelio/forge/testing/git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micRunner } from "./run-mic.ts";

const SLOW = 300_000;
const work = mkdtempSync(join(tmpdir(), "mic-social-"));
const mic = micRunner({ MIC_CONFIG_DIR: join(work, "config") });
const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe("mic search, star and fork", () => {
  let f: TestForge;
  let aliceToken = "";
  beforeAll(async () => {
    f = await startTestForge();
    const alice = await userWithToken(f.url, "alice");
    aliceToken = alice.token;
    const bob = await userWithToken(f.url, "bob");
    await api(f.url, "POST", "/api/v1/projects", { token: bob.token, json: { handle: "own" } });
    await api(f.url, "POST", "/api/v1/projects", {
      token: alice.token,
      json: { handle: "lantern", description: "A small lamp for dark repositories" },
    });
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "light.ts"), "export const glow = () => 'needle in the lamp';\n");
    await runGit(src, "add", "-A");
    await runGit(src, "commit", "-q", "-m", "light");
    const remote = new URL("/alice/lantern.git", f.url);
    [remote.username, remote.password] = ["alice", alice.token];
    await runGit(src, "push", "-q", remote.toString(), "main");
    const login = await mic(work, "--server", f.url, "auth", "login", "--token", bob.token);
    expect(login.status, login.stderr).toBe(0);
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "searches projects and code, stars and unstars",
    async () => {
      const found = await mic(work, "--json", "search", "lantern");
      expect(found.status, found.stderr).toBe(0);
      expect(json(found).items.map((p: { full_name: string }) => p.full_name)).toEqual(["alice/lantern"]);
      const human = await mic(work, "search", "lamp", "--sort", "stars");
      expect(human.stdout).toContain("alice/lantern  ★0  A small lamp for dark repositories");
      // Text from the server never reaches the terminal as escape sequences.
      await api(f.url, "PATCH", "/api/v1/projects/alice/lantern", {
        token: aliceToken,
        json: { description: "A small lamp \u001b[31mred\u001b[0m" },
      });
      const escaped = await mic(work, "search", "lantern");
      expect(escaped.stdout).toContain("A small lamp ?[31mred?[0m");
      expect(escaped.stdout).not.toContain("\u001b");
      const code = await mic(work, "--json", "search", "needle", "--in", "alice/lantern");
      expect(code.status, code.stderr).toBe(0);
      expect(json(code).items[0]).toMatchObject({ path: "light.ts", line: 1 });
      expect((await mic(work, "search", "needle", "--in", "alice/lantern")).stdout).toContain("light.ts:1:");

      const star = await mic(work, "--json", "star", "alice/lantern");
      expect(star.status, star.stderr).toBe(0);
      expect(json(star)).toEqual({ owner: "alice", project: "lantern", starred: true, stars_count: 1 });
      const stars = await api(f.url, "GET", "/api/v1/projects/alice/lantern/stargazers");
      expect(stars.body.map((u: { handle: string }) => u.handle)).toEqual(["bob"]);
      const unstar = await mic(work, "unstar", "alice/lantern");
      expect(unstar.stdout.trim()).toBe("Unstarred alice/lantern (0 stars)");
    },
    SLOW,
  );

  it(
    "forks and clones the fork, ready for sessions",
    async () => {
      const r = await mic(work, "--json", "fork", "alice/lantern", "--name", "my-lantern", "--clone", "mine");
      expect(r.status, r.stderr).toBe(0);
      const doc = json(r);
      expect(doc).toMatchObject({ full_name: "bob/my-lantern", parent: "alice/lantern" });
      expect(doc.cloned).toMatchObject({ dir: join(work, "mine"), owner: "bob", project: "my-lantern" });
      expect(readFileSync(join(work, "mine", "light.ts"), "utf8")).toContain("needle in the lamp");
      const status = await mic(join(work, "mine"), "--json", "status");
      expect(status.status, status.stderr).toBe(0);
      expect(json(status).project).toBe("bob/my-lantern");

      // A session in the fork, offered to the parent, where alice lands it.
      const mine = join(work, "mine");
      expect((await mic(mine, "session", "start", "Glow brighter")).status).toBe(0);
      writeFileSync(join(mine, "light.ts"), "export const glow = () => 'a brighter needle';\n");
      const proposed = await mic(mine, "--json", "propose");
      expect(proposed.status, proposed.stderr).toBe(0);
      const p = json(proposed);
      expect(p).toMatchObject({ goal: "Glow brighter", project: "alice/lantern" });
      expect(p.changes).toEqual([{ path: "light.ts", status: "modified" }]);
      const landed = await api(
        f.url,
        "POST",
        `/api/v1/projects/alice/lantern/sessions/${p.incoming.id}/land`,
        {
          token: aliceToken,
        },
      );
      expect(landed.status, JSON.stringify(landed.body)).toBe(200);
      const blob = await api(f.url, "GET", "/api/v1/projects/alice/lantern/blob/main/light.ts");
      expect(blob.body).toMatchObject({ encoding: "utf-8" });
      expect(blob.body.content).toContain("a brighter needle");
    },
    SLOW,
  );

  it(
    "says what is wrong, with the exit codes agents rely on",
    async () => {
      const missing = await mic(work, "--json", "fork", "alice/nothing");
      expect(missing.status).toBe(2);
      expect(json(missing).status).toBe(404);
      // A taken name is refused by the forge (7), not a conflict a sync could help (3).
      const taken = await mic(work, "fork", "alice/lantern", "--name", "my-lantern");
      expect(taken.status).toBe(7);
      expect(taken.stderr).toMatch(/^mic: 409: .*already exists/);
      const takenJson = await mic(work, "--json", "fork", "alice/lantern", "--name", "my-lantern");
      expect(takenJson.status).toBe(7);
      expect(JSON.parse(takenJson.stdout)).toMatchObject({
        exit_code: 7,
        type: "https://micelio.dev/problems/handle-taken",
      });
      expect((await mic(work, "search", "x", "--sort", "loudest")).status).toBe(1);
      expect((await mic(work, "search", "x", "--limit", "0")).status).toBe(1);
      expect((await mic(work, "star", "not-a-project")).status).toBe(1);
      const anonymous = micRunner({ MIC_CONFIG_DIR: join(work, "nobody") });
      const refused = await anonymous(work, "--server", f.url, "star", "alice/lantern");
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain("log in first");
      // A clone that cannot happen (the directory is taken) is refused before the fork is made.
      const busy = await mic(work, "fork", "alice/lantern", "--name", "other", "--clone", "src");
      expect(busy.status).toBe(1);
      expect(busy.stderr).toContain("already exists and is not empty");
      expect((await api(f.url, "GET", "/api/v1/projects/bob/other")).status).toBe(404);
      expect(existsSync(join(work, "src", "light.ts"))).toBe(true);
      // Proposing from a project that is not a fork: refused (7), said in one line.
      const own = join(work, "own");
      expect((await mic(work, "clone", "bob/own", "own")).status).toBe(0);
      expect((await mic(own, "session", "start", "Not a fork")).status).toBe(0);
      writeFileSync(join(own, "x.txt"), "x\n");
      const notFork = await mic(own, "propose");
      expect(notFork.status).toBe(7);
      expect(notFork.stderr).toContain("not a fork");
      const notForkJson = await mic(own, "--json", "propose");
      expect(notForkJson.status).toBe(7);
      expect(JSON.parse(notForkJson.stdout)).toMatchObject({
        exit_code: 7,
        type: "https://micelio.dev/problems/not-a-fork",
      });
    },
    SLOW,
  );
});
