// Forks end to end with real git: the fork has every branch and tag of its parent and
// borrows its objects; pushes stay apart; upkeep in the parent keeps what forks need; the
// parent deleted, forks (and forks of forks) still clone and pass fsck.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoJobHandlers } from "../repos/maintain.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";
import { readAlternates } from "./forks-repo.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-forks-"));
type User = Awaited<ReturnType<typeof userWithToken>>;

describe("forks", () => {
  let f: TestForge;
  let alice: User;
  let bob: User;
  let carol: User;
  const url = (path: string, u?: User) => {
    const x = new URL(path, f.url);
    if (u) [x.username, x.password] = [u.handle, u.token];
    return x.toString();
  };
  const lsRemote = (path: string, u?: User) => runGit(work, "ls-remote", url(path, u));
  const projectDir = async (full: string, u: User) => {
    const r = await api(f.url, "GET", `/api/v1/projects/${full}`, { token: u.token });
    expect(r.status).toBe(200);
    return f.forge.repos.dir(r.body.id);
  };
  const commit = async (dir: string, file: string, text: string) => {
    writeFileSync(join(dir, file), text);
    await runGit(dir, "add", ".");
    await runGit(dir, "commit", "-q", "-m", `change ${file}`);
  };
  const fork = (u: User, from: string, json?: unknown) =>
    api(f.url, "POST", `/api/v1/projects/${from}/forks`, { token: u.token, json });

  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
    carol = await userWithToken(f.url, "carol");
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: alice.token, json: { handle: "app" } })).status,
    ).toBe(201);
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    for (let i = 1; i <= 3; i++) await commit(src, `f${i}.txt`, `content ${i}\n`);
    await runGit(src, "tag", "-a", "v1", "-m", "release");
    await runGit(src, "checkout", "-q", "-b", "feature");
    await commit(src, "feature.txt", "feature\n");
    await runGit(src, "checkout", "-q", "-b", "doomed");
    await commit(src, "doomed.txt", "only on a branch the parent will delete\n");
    await runGit(src, "checkout", "-q", "main");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "--all");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "--tags");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("forks with every ref of the parent and borrows its objects", async () => {
    const r = await fork(bob, "alice/app");
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe("/api/v1/projects/bob/app");
    expect(r.body).toMatchObject({
      full_name: "bob/app",
      parent: "alice/app",
      visibility: "public",
      stars_count: 0,
      forks_count: 0,
      permissions: { admin: true },
    });
    // The parent's landing (its one push: one implicit landing) is inherited (forks-landings.ts).
    expect(r.body.head_position).toBe(1);
    const landings = await api(f.url, "GET", "/api/v1/projects/bob/app/landings");
    expect(landings.body).toHaveLength(1);
    expect(landings.body[0].commit).toBe(await runGit(join(work, "src"), "rev-parse", "main"));
    expect(landings.body[0].author).not.toBe("bob"); // the parent's history, not a landing by bob
    const parentRefs = await lsRemote("/alice/app.git");
    expect(parentRefs.split("\n")).toHaveLength(6); // HEAD, 3 branches, a tag and its peeled commit
    expect(await lsRemote("/bob/app.git")).toBe(parentRefs);
    const dir = await projectDir("bob/app", bob);
    expect(readAlternates(dir)).toHaveLength(1);
    const counts = await runGit(dir, "count-objects", "-v");
    expect(counts).toMatch(/^count: 0$/m);
    expect(counts).toMatch(/^in-pack: 0$/m);
    const clone = join(work, "bob-clone");
    await runGit(work, "clone", "-q", url("/bob/app.git"), clone);
    expect(await runGit(clone, "rev-parse", "HEAD")).toBe(
      await runGit(join(work, "src"), "rev-parse", "main"),
    );
    const parent = await api(f.url, "GET", "/api/v1/projects/alice/app");
    expect(parent.body.forks_count).toBe(1);
    expect(parent.body.parent).toBeNull();
    const list = await api(f.url, "GET", "/api/v1/projects/alice/app/forks");
    expect(list.body.map((p: { full_name: string }) => p.full_name)).toEqual(["bob/app"]);
  });

  it("keeps pushes to the fork out of the parent", async () => {
    const before = await lsRemote("/alice/app.git");
    const clone = join(work, "bob-clone");
    await commit(clone, "bob.txt", "bob's change\n");
    await runGit(clone, "push", "-q", url("/bob/app.git", bob), "main", "HEAD:refs/heads/bob-topic");
    expect(await lsRemote("/alice/app.git")).toBe(before);
    expect(await lsRemote("/bob/app.git")).toContain("refs/heads/bob-topic");
    const fresh = join(work, "alice-fresh");
    await runGit(work, "clone", "-q", url("/alice/app.git"), fresh);
    expect(existsSync(join(fresh, "bob.txt"))).toBe(false);
  });

  it("refuses a taken handle with 409 and takes another one", async () => {
    const again = await fork(bob, "alice/app");
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: "handle", message: "already taken" }]);
    expect((await fork(bob, "alice/app", { handle: "bad handle!" })).status).toBe(400);
    expect((await fork(bob, "alice/app", { handle: "app2" })).status).toBe(201);
  });

  it("a session lands from the fork into its parent through the parent's maintainers", async () => {
    const open = async (base: number) => {
      const s = await api(f.url, "POST", "/api/v1/projects/bob/app/sessions", {
        token: bob.token,
        json: { goal: `Upstream change on ${base}`, base },
      });
      expect(s.status).toBe(201);
      const changes = [
        { path: `upstream-${base}.txt`, content: Buffer.from("from the fork\n").toString("base64") },
      ];
      const put = await api(f.url, "PUT", `/api/v1/projects/bob/app/sessions/${s.body.id}/changes`, {
        token: bob.token,
        json: { changes },
      });
      expect(put.status).toBe(200);
      return s.body.id as string;
    };
    const propose = (u: User, id: string) =>
      api(f.url, "POST", `/api/v1/projects/bob/app/sessions/${id}/propose`, { token: u.token });
    // Based on the fork's own pushed commit: the parent has never landed it.
    const diverged = await open(2);
    const refused = await propose(bob, diverged);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/not on alice\/app's trunk/);
    expect(refused.body.type).toBe("https://micelio.dev/problems/base-not-in-parent");
    // Based on what the fork inherited (position 1 = the parent's trunk when forked).
    const id = await open(1);
    expect((await propose(carol, id)).status).toBe(403); // carol cannot write to bob/app
    const r = await propose(bob, id);
    expect(r.status).toBe(201);
    expect(r.body.project).toBe("alice/app");
    expect(r.body.session).toMatchObject({
      status: "open",
      author: "bob",
      source: { project: "bob/app", session: id },
    });
    expect((await propose(bob, id)).status).toBe(409); // already open upstream
    const upstream = r.body.session.id as string;
    const listed = await api(f.url, "GET", "/api/v1/projects/alice/app/sessions?status=open", {
      token: alice.token,
    });
    expect(listed.body.find((s: { id: string }) => s.id === upstream)?.source?.project).toBe("bob/app");
    const page = await new Browser(f.url).get(`/alice/app/sessions/${upstream}`);
    expect(page.html).toContain('<a href="/bob/app/sessions/');
    // The author cannot land in a project they cannot write to; a maintainer can.
    const land = (u: User) =>
      api(f.url, "POST", `/api/v1/projects/alice/app/sessions/${upstream}/land`, { token: u.token });
    expect((await land(bob)).status).toBe(403);
    const landed = await land(alice);
    expect(landed.status).toBe(200);
    const clone = join(work, "alice-after-upstream");
    await runGit(work, "clone", "-q", url("/alice/app.git"), clone);
    expect(existsSync(join(clone, "upstream-1.txt"))).toBe(true);
    expect(await runGit(clone, "log", "-1", "--format=%an %s")).toBe("bob Upstream change on 1");
  });

  it("forks into an organization only for its members", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: alice.token, json: { handle: "team" } })).status,
    ).toBe(201);
    expect((await fork(bob, "alice/app", { owner: "team" })).status).toBe(403);
    const r = await fork(alice, "alice/app", { owner: "team", handle: "app-team" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ full_name: "team/app-team", owner_kind: "organization" });
  });

  it("upkeep in the parent keeps objects that forks still reach", async () => {
    const doomed = await runGit(join(work, "src"), "rev-parse", "doomed");
    const parentDir = await projectDir("alice/app", alice);
    expect(await runGit(parentDir, "config", "--get", "gc.pruneExpire")).toBe("never");
    const parentId = (await api(f.url, "GET", "/api/v1/projects/alice/app")).body.id;
    const forkId = (await api(f.url, "GET", "/api/v1/projects/bob/app")).body.id;
    const upkeep = repoJobHandlers(f.forge.repos)["repo.maintain"];
    await upkeep({ projectId: parentId }, undefined as never); // packs the branch's objects
    expect(existsSync(join(parentDir, "objects", doomed.slice(0, 2), doomed.slice(2)))).toBe(false);
    // The parent deletes the branch and forgets it; a plain `repack -a -d` would now drop it.
    await runGit(join(work, "src"), "push", "-q", url("/alice/app.git", alice), ":doomed");
    await runGit(parentDir, "reflog", "expire", "--expire=now", "--all");
    await upkeep({ projectId: parentId }, undefined as never);
    await upkeep({ projectId: forkId }, undefined as never);
    // The fork's own upkeep packs only its own objects; it still borrows the rest.
    const forkDir = f.forge.repos.dir(forkId);
    expect(readAlternates(forkDir)).toHaveLength(1);
    expect(await runGit(forkDir, "cat-file", "-t", doomed)).toBe("commit");
    await runGit(forkDir, "fsck", "--no-dangling");
  });

  it("a fork of a fork borrows from both, and the pages show where forks come from", async () => {
    const r = await fork(carol, "bob/app");
    expect(r.status).toBe(201);
    expect(r.body.parent).toBe("bob/app");
    expect(readAlternates(await projectDir("carol/app", carol))).toHaveLength(2);
    // Branches and tags come over; bob's session refs (refs/sessions/*) stay with his sessions.
    const branchesAndTags = async (path: string) =>
      (await lsRemote(path))
        .split("\n")
        .filter((l) => !l.includes("\trefs/sessions/"))
        .join("\n");
    expect(await lsRemote("/bob/app.git")).toContain("\trefs/sessions/");
    expect(await lsRemote("/carol/app.git")).toBe(await branchesAndTags("/bob/app.git"));
    const b = new Browser(f.url);
    const page = await b.get("/carol/app");
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/forked from <a href="\/bob\/app">bob\/app<\/a>/);
    const forks = await b.get("/alice/app/forks");
    expect(forks.status).toBe(200);
    for (const name of ["bob/app", "bob/app2", "team/app-team"]) expect(forks.html).toContain(name);
    expect(forks.html).not.toContain("carol/app");
  });

  it("the fork form creates a fork under a chosen owner", async () => {
    const b = new Browser(f.url);
    expect((await b.submit("/login", "/login", { login: "alice", password: alice.password })).status).toBe(
      303,
    );
    const form = await b.get("/bob/app/fork");
    expect(form.status).toBe(200);
    expect(form.html).toContain('<option value="team"');
    const taken = await b.submit("/bob/app/fork", "/bob/app/fork", { owner: "team", handle: "app-team" });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain("already taken");
    const ok = await b.submit("/bob/app/fork", "/bob/app/fork", { owner: "team", handle: "from-bob" });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe("/team/from-bob");
    expect((await api(f.url, "GET", "/api/v1/projects/team/from-bob")).body.parent).toBe("bob/app");
  });

  it("a fork shows only the commits its own refs reach, not its parent's later ones", async () => {
    const src = join(work, "src");
    await runGit(src, "checkout", "-q", "-b", "after-the-fork");
    await commit(src, "plan.txt", "the parent's later plan\n");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "after-the-fork");
    const sha = await runGit(src, "rev-parse", "HEAD");
    await runGit(src, "checkout", "-q", "main");
    const page = (path: string) => fetch(f.url + path, { headers: { accept: "text/html" } });
    expect((await page(`/alice/app/commit/${sha}`)).status).toBe(200);
    // bob/app borrows alice/app's objects, so git itself finds the commit there: the forge must not.
    const bobDir = await projectDir("bob/app", bob);
    expect(await runGit(bobDir, "cat-file", "-t", sha)).toBe("commit");
    for (const path of [
      `/bob/app/commit/${sha}`,
      `/bob/app/commit/${sha.slice(0, 10)}`,
      `/bob/app/tree/${sha}`,
      `/bob/app/blob/${sha}/plan.txt`,
      `/bob/app/raw/${sha}/plan.txt`,
      `/bob/app/commit/${sha}/og/${"0".repeat(32)}.png`,
    ])
      expect((await page(path)).status, path).toBe(404);
    for (const path of [`commits/${sha}`, `tree/${sha}`, `commits?ref=${sha}`])
      expect((await api(f.url, "GET", `/api/v1/projects/bob/app/${path}`)).status, path).toBe(404);
    expect((await api(f.url, "GET", `/api/v1/projects/alice/app/commits/${sha}`)).status).toBe(200);
    // Nor through git: protocol v2 would hand out any object by id, so a fork speaks v0.
    const probe = join(work, "probe");
    await runGit(work, "init", "-q", probe);
    for (const version of ["2", "0"]) {
      const fetched = await tryGit(
        probe,
        "-c",
        `protocol.version=${version}`,
        "fetch",
        "-q",
        url("/bob/app.git"),
        sha,
      );
      expect(fetched.ok, `protocol v${version}`).toBe(false);
    }
    expect(
      (await tryGit(probe, "-c", "protocol.version=2", "fetch", "-q", url("/alice/app.git"), sha)).ok,
    ).toBe(true);
    expect((await tryGit(probe, "fetch", "-q", url("/bob/app.git"), "main")).ok).toBe(true);
    // The fork's own commits still resolve by id.
    const own = await runGit(join(work, "bob-clone"), "rev-parse", "HEAD");
    expect((await page(`/bob/app/commit/${own}`)).status).toBe(200);
  });

  it("deleting the parent leaves every fork whole", async () => {
    const forkDir = await projectDir("bob/app", bob);
    const grandDir = await projectDir("carol/app", carol);
    const before = await lsRemote("/bob/app.git");
    expect((await api(f.url, "DELETE", "/api/v1/projects/alice/app", { token: alice.token })).status).toBe(
      204,
    );
    expect(readdirSync(f.forge.repos.root).some((n) => n.includes("alice"))).toBe(false);
    for (const [full, dir] of [
      ["bob/app", forkDir],
      ["carol/app", grandDir],
    ]) {
      expect(readAlternates(dir), full).toEqual([]);
      await runGit(dir, "fsck", "--full", "--no-dangling");
      const clone = join(work, `after-${full.replace("/", "-")}`);
      await runGit(work, "clone", "-q", url(`/${full}.git`), clone);
      await runGit(clone, "fsck", "--full");
    }
    expect(await lsRemote("/bob/app.git")).toBe(before);
    const r = await api(f.url, "GET", "/api/v1/projects/bob/app");
    expect(r.body.parent).toBeNull();
    expect(r.body.forks_count).toBe(2); // carol/app and team/from-bob
    // Then the middle of the chain goes too: the last fork still stands alone.
    expect((await api(f.url, "DELETE", "/api/v1/projects/bob/app", { token: bob.token })).status).toBe(204);
    await runGit(grandDir, "fsck", "--full", "--no-dangling");
    const last = join(work, "after-all");
    await runGit(work, "clone", "-q", url("/carol/app.git"), last);
    expect(existsSync(join(last, "bob.txt"))).toBe(true);
  });
});
