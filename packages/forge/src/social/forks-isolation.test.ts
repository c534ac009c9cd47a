// Forks cannot read what their parent does not show them, tested as an attacker would with
// real git clients and raw receive-pack requests: a fork advertises none of its parent's
// refs, a push cannot make the fork reach parent objects it was not sent, and forks that
// lose sight of their parent (made private, owner removed from its organization) are cut
// loose or removed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../repos/git.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit, tryGit } from "../testing/git.ts";
import { readAlternates } from "./forks-repo.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-fork-isolation-"));
const ZERO = "0".repeat(40);
type User = Awaited<ReturnType<typeof userWithToken>>;
const pkt = (s: string) => (Buffer.byteLength(s) + 4).toString(16).padStart(4, "0") + s;

describe("fork isolation", () => {
  let f: TestForge;
  let alice: User;
  let bob: User;
  const url = (path: string, u?: User) => {
    const x = new URL(path, f.url);
    if (u) [x.username, x.password] = [u.handle, u.token];
    return x.toString();
  };
  const basic = (u: User) => `Basic ${Buffer.from(`${u.handle}:${u.token}`).toString("base64")}`;
  const commit = async (dir: string, file: string, text: string) => {
    writeFileSync(join(dir, file), text);
    await runGit(dir, "add", ".");
    await runGit(dir, "commit", "-q", "-m", `change ${file}`);
    return runGit(dir, "rev-parse", "HEAD");
  };
  const project = (full: string, u?: User) =>
    api(f.url, "GET", `/api/v1/projects/${full}`, { token: u?.token });
  /** What receive-pack advertises for a push (the raw pkt-lines). */
  const receiveAdvert = async (path: string, u: User) => {
    const r = await fetch(`${f.url}${path}/info/refs?service=git-receive-pack`, {
      headers: { authorization: basic(u) },
    });
    expect(r.status).toBe(200);
    return r.text();
  };
  const cloneFork = async (forkPath: string, u: User, name: string) => {
    const dir = join(work, name);
    await runGit(work, "clone", "-q", url(forkPath, u), dir);
    return dir;
  };
  /**
   * The attack: in a local clone of the fork, a commit whose parent is `parent` (an object
   * the clone does not have, known only by id) and whose tree is the fork's main tree. A
   * graft makes the local walk stop there, so the git client sends only the new commit.
   */
  const craft = async (dir: string, parent: string) => {
    const tree = await runGit(dir, "rev-parse", "HEAD^{tree}");
    const body = `tree ${tree}\nparent ${parent}\nauthor M <m@x> 1700000000 +0000\ncommitter M <m@x> 1700000000 +0000\n\nreach the parent\n`;
    const sha = (
      await git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], { cwd: dir, input: body })
    )
      .toString()
      .trim();
    writeFileSync(join(dir, ".git", "info", "grafts"), `${sha}\n`);
    return sha;
  };
  const pushCrafted = (dir: string, forkPath: string, u: User, sha: string, ref: string) =>
    tryGit(dir, "-c", "advice.graftFileDeprecated=false", "push", url(forkPath, u), `${sha}:${ref}`);
  /** The same push as a raw receive-pack request: one command and a pack holding only the commit. */
  const rawPush = async (
    dir: string,
    forkPath: string,
    u: User,
    sha: string,
    ref: string,
    packed?: Buffer,
  ) => {
    const pack = packed ?? (await git(["pack-objects", "--stdout", "-q"], { cwd: dir, input: `${sha}\n` }));
    const body = Buffer.concat([
      Buffer.from(`${pkt(`${ZERO} ${sha} ${ref}\0report-status side-band-64k\n`)}0000`),
      pack,
    ]);
    const r = await fetch(`${f.url}${forkPath}/git-receive-pack`, {
      method: "POST",
      headers: { authorization: basic(u), "content-type": "application/x-git-receive-pack-request" },
      body,
    });
    return { status: r.status, text: Buffer.from(await r.arrayBuffer()).toString("latin1") };
  };
  /** Whether an anonymous clone of the project ends up holding the object. */
  const anonymousReaches = async (path: string, sha: string, name: string) => {
    const clone = join(work, name);
    const cloned = await tryGit(work, "clone", "-q", "--mirror", url(path), clone);
    if (!cloned.ok) return false;
    return (await tryGit(clone, "cat-file", "-e", sha)).ok;
  };

  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("a linked fork advertises none of its parent's refs and refuses a push that borrows unsent objects", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: alice.token, json: { handle: "lib" } })).status,
    ).toBe(201);
    const src = join(work, "lib-src");
    await runGit(work, "init", "-q", "-b", "main", src);
    await commit(src, "a.txt", "a\n");
    await runGit(src, "push", "-q", url("/alice/lib.git", alice), "main");
    expect((await api(f.url, "POST", "/api/v1/projects/alice/lib/forks", { token: bob.token })).status).toBe(
      201,
    );
    // After the fork, the parent pushes a commit with a secret, then forgets it (force-push
    // away); forks keep borrowing, so the parent never prunes it.
    await runGit(src, "checkout", "-q", "-b", "wip");
    const note = Array.from(
      { length: 200 },
      (_, i) => `internal note ${i}, never meant to be published\n`,
    ).join("");
    const secret = await commit(src, "token.txt", note);
    await runGit(src, "push", "-q", url("/alice/lib.git", alice), "wip");
    const advert = await receiveAdvert("/bob/lib", bob);
    expect(advert).not.toContain(".have");
    expect(advert).not.toContain(secret);
    expect(await runGit(work, "ls-remote", url("/bob/lib.git", bob))).not.toContain(secret);
    await runGit(src, "push", "-q", url("/alice/lib.git", alice), ":wip");

    // Neither a git client nor a raw request can hang the forgotten commit under the fork's refs.
    const dir = await cloneFork("/bob/lib.git", bob, "lib-attack");
    const sha = await craft(dir, secret);
    const pushed = await pushCrafted(dir, "/bob/lib.git", bob, sha, "refs/heads/leak");
    expect(pushed.ok).toBe(false);
    expect(pushed.out).toContain("objects it was not sent");
    const raw = await rawPush(dir, "/bob/lib.git", bob, sha, "refs/heads/raw-leak");
    expect(raw.status).toBe(200);
    expect(raw.text).toMatch(/ng refs\/heads\/raw-leak pre-receive hook declined/);
    expect(raw.text).toContain("objects it was not sent");
    expect(await runGit(work, "ls-remote", url("/bob/lib.git"))).not.toMatch(/leak/);
    expect(await anonymousReaches("/bob/lib.git", secret, "lib-anon")).toBe(false);
    // Nor a thin pack whose new blob is a delta against the forgotten commit's blob (a copy
    // of it): the server would complete the pack from the parent's objects.
    await runGit(src, "checkout", "-q", "-b", "copy", "main");
    writeFileSync(join(src, "token.txt"), `${note}!\n`);
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "copy");
    const copy = await runGit(src, "rev-parse", "HEAD");
    // A helper commit on the forgotten one, packed but pushed to no ref, makes git pick the
    // forgotten blob as the delta base and leave it out (what an attacker crafts by hand).
    const helper = await runGit(src, "commit-tree", "-p", secret, "-m", "helper", `${copy}^{tree}`);
    const thin = await git(["pack-objects", "--revs", "--thin", "--stdout", "-q"], {
      cwd: src,
      input: `${copy}\n${helper}\n^${secret}\n^${copy}~1\n`,
    });
    const thinPush = await rawPush(src, "/bob/lib.git", bob, copy, "refs/heads/thin-leak", thin);
    expect(thinPush.text).toMatch(/ng refs\/heads\/thin-leak pre-receive hook declined/);
    await runGit(src, "checkout", "-q", "main");
    // Nor can upload-pack be asked for it by id.
    const probe = join(work, "lib-probe");
    await runGit(work, "init", "-q", probe);
    expect((await tryGit(probe, "fetch", "-q", url("/bob/lib.git"), secret)).ok).toBe(false);

    // An honest push that brings its objects along still works, including the parent's newer
    // commits pulled into the fork.
    await runGit(src, "checkout", "-q", "main");
    const upstream = await commit(src, "b.txt", "b\n");
    await runGit(src, "push", "-q", url("/alice/lib.git", alice), "main");
    await runGit(src, "push", "-q", url("/bob/lib.git", bob), "main:refs/heads/synced");
    expect(await runGit(work, "ls-remote", url("/bob/lib.git"), "refs/heads/synced")).toContain(upstream);
  });

  it("scenario 1: a parent made private detaches its public fork, which cannot reach the private history", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: alice.token, json: { handle: "app" } })).status,
    ).toBe(201);
    const src = join(work, "app-src");
    await runGit(work, "init", "-q", "-b", "main", src);
    await commit(src, "a.txt", "a\n");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "main");
    expect((await api(f.url, "POST", "/api/v1/projects/alice/app/forks", { token: bob.token })).status).toBe(
      201,
    );
    const forkDir = f.forge.repos.dir((await project("bob/app")).body.id);
    expect(readAlternates(forkDir)).toHaveLength(1);
    const hidden = await commit(src, "plan.txt", "the plan, from now on private\n");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "main");
    const patched = await api(f.url, "PATCH", "/api/v1/projects/alice/app", {
      token: alice.token,
      json: { visibility: "private" },
    });
    expect(patched.status).toBe(200);

    // The fork stays public, in its own network: no parent, nothing borrowed.
    const fork = await project("bob/app");
    expect(fork.status).toBe(200);
    expect(fork.body).toMatchObject({ visibility: "public", parent: null });
    expect(readAlternates(forkDir)).toEqual([]);
    await runGit(forkDir, "fsck", "--connectivity-only", "--no-dangling");
    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "data"])
      .where("action", "=", "project.fork.detach")
      .where("target", "=", "bob/app")
      .execute();
    expect(audit).toHaveLength(1);

    const advert = await receiveAdvert("/bob/app", bob);
    expect(advert).not.toContain(".have");
    expect(advert).not.toContain(hidden);
    expect(await runGit(work, "ls-remote", url("/bob/app.git", bob))).not.toContain(hidden);
    const dir = await cloneFork("/bob/app.git", bob, "app-attack");
    const sha = await craft(dir, hidden);
    expect((await pushCrafted(dir, "/bob/app.git", bob, sha, "refs/heads/leak")).ok).toBe(false);
    const raw = await rawPush(dir, "/bob/app.git", bob, sha, "refs/heads/raw-leak");
    expect(raw.text).not.toMatch(/ok refs\/heads\/raw-leak/);
    expect(await runGit(work, "ls-remote", url("/bob/app.git"))).not.toMatch(/leak/);
    expect(await anonymousReaches("/bob/app.git", hidden, "app-anon")).toBe(false);
    // The fork itself still clones whole.
    const clone = join(work, "app-clone");
    await runGit(work, "clone", "-q", url("/bob/app.git"), clone);
    await runGit(clone, "fsck", "--full");
  });

  it("scenario 2: a member removed from an organization loses their private fork of its project", async () => {
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: alice.token, json: { handle: "acme" } })).status,
    ).toBe(201);
    expect(
      (
        await api(f.url, "PUT", "/api/v1/orgs/acme/members/bob", {
          token: alice.token,
          json: { role: "member" },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(f.url, "POST", "/api/v1/projects", {
          token: alice.token,
          json: { handle: "core", owner: "acme", visibility: "private" },
        })
      ).status,
    ).toBe(201);
    const src = join(work, "core-src");
    await runGit(work, "init", "-q", "-b", "main", src);
    await commit(src, "a.txt", "a\n");
    await runGit(src, "push", "-q", url("/acme/core.git", alice), "main");
    const forked = await api(f.url, "POST", "/api/v1/projects/acme/core/forks", { token: bob.token });
    expect(forked.status).toBe(201);
    expect(forked.body.visibility).toBe("private");
    const forkId = forked.body.id as string;
    // bob clones his fork while he is a member (the attack needs a copy of its objects).
    const dir = await cloneFork("/bob/core.git", bob, "core-attack");
    const hidden = await commit(src, "roadmap.txt", "after bob leaves\n");
    await runGit(src, "push", "-q", url("/acme/core.git", alice), "main");

    expect((await api(f.url, "DELETE", "/api/v1/orgs/acme/members/bob", { token: alice.token })).status).toBe(
      204,
    );
    expect((await project("bob/core", bob)).status).toBe(404);
    expect(f.forge.repos.exists(forkId)).toBe(false);
    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "data"])
      .where("action", "=", "project.delete")
      .where("target", "=", "bob/core")
      .execute();
    expect(audit).toHaveLength(1);
    const data = audit[0].data;
    expect(typeof data === "string" ? JSON.parse(data) : data).toMatchObject({
      reason: "lost access to acme/core",
    });

    // The push attack finds nothing to push into, and nothing reads the private history.
    const sha = await craft(dir, hidden);
    expect((await pushCrafted(dir, "/bob/core.git", bob, sha, "refs/heads/leak")).ok).toBe(false);
    const raw = await rawPush(dir, "/bob/core.git", bob, sha, "refs/heads/raw-leak");
    expect(raw.text).not.toMatch(/ok refs\/heads\/raw-leak/);
    const probe = join(work, "core-probe");
    await runGit(work, "init", "-q", probe);
    for (const path of ["/bob/core.git", "/acme/core.git"])
      expect((await tryGit(probe, "fetch", "-q", url(path, bob), "+refs/heads/*:refs/remotes/x/*")).ok).toBe(
        false,
      );
    expect((await tryGit(probe, "cat-file", "-e", hidden)).ok).toBe(false);
  });
});
