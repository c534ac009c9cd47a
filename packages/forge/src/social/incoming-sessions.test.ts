// Proposing a fork's session to its parent and syncing a fork's session, as an outsider would
// try them: a session that is closed, someone without write access to the fork, a parent the
// proposer can no longer read, a session whose objects fail the parent's checks, and a sync
// that names a commit the fork only borrows from its (now private) parent. Each is refused
// with a 4xx and leaves the parent's sessions and refs, and the fork's session, unchanged.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-propose-"));
type User = Awaited<ReturnType<typeof userWithToken>>;

describe("proposing and syncing fork sessions", () => {
  let f: TestForge;
  let alice: User;
  let bob: User;
  let carol: User;
  const src = join(work, "src");
  const url = (path: string, u: User) => {
    const x = new URL(path, f.url);
    [x.username, x.password] = [u.handle, u.token];
    return x.toString();
  };
  const commit = async (file: string, text: string) => {
    writeFileSync(join(src, file), text);
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", `change ${file}`);
    return runGit(src, "rev-parse", "HEAD");
  };
  const dirOf = async (full: string, u: User) =>
    f.forge.repos.dir((await api(f.url, "GET", `/api/v1/projects/${full}`, { token: u.token })).body.id);
  const sessionsApi = (full: string) => `/api/v1/projects/${full}/sessions`;
  const openSession = async (goal: string) => {
    const s = await api(f.url, "POST", sessionsApi("bob/app"), { token: bob.token, json: { goal, base: 1 } });
    expect(s.status).toBe(201);
    const content = Buffer.from(`${goal}\n`).toString("base64");
    const put = await api(f.url, "PUT", `${sessionsApi("bob/app")}/${s.body.id}/changes`, {
      token: bob.token,
      json: { changes: [{ path: "from-fork.txt", content }] },
    });
    expect(put.status).toBe(200);
    return s.body.id as string;
  };
  const propose = (u: User, id: string) =>
    api(f.url, "POST", `${sessionsApi("bob/app")}/${id}/propose`, { token: u.token });
  /** What a refused proposal must leave alone: the parent's sessions and its session refs. */
  const parentState = async () => {
    const rows = await f.forge.db
      .selectFrom("sessions")
      .innerJoin("projects", "projects.id", "sessions.project_id")
      .select("sessions.id")
      .where("projects.handle", "=", "app")
      .where("projects.owner_id", "=", alice.user.id)
      .execute();
    const refs = await runGit(await dirOf("alice/app", alice), "for-each-ref", "refs/sessions/");
    return { sessions: rows.length, refs };
  };

  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
    carol = await userWithToken(f.url, "carol");
    const created = await api(f.url, "POST", "/api/v1/projects", {
      token: alice.token,
      json: { handle: "app" },
    });
    expect(created.status).toBe(201);
    await runGit(work, "init", "-q", "-b", "main", src);
    await commit("a.txt", "a\n");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "main");
    expect((await api(f.url, "POST", "/api/v1/projects/alice/app/forks", { token: bob.token })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("refuses a closed session and a proposer who cannot write to the fork, changing nothing", async () => {
    const before = await parentState();
    const closed = await openSession("Closed before proposing");
    expect(
      (await api(f.url, "POST", `${sessionsApi("bob/app")}/${closed}/abandon`, { token: bob.token })).status,
    ).toBe(200);
    expect((await propose(bob, closed)).status).toBe(409);
    const open = await openSession("Not carol's to propose");
    expect((await propose(carol, open)).status).toBe(403);
    expect((await api(f.url, "POST", `${sessionsApi("bob/app")}/${open}/propose`)).status).toBe(401);
    expect((await propose(bob, "nosuchsession")).status).toBe(404);
    expect(await parentState()).toEqual(before);
  });

  it("refuses a session whose objects fail the parent's checks with a 4xx, leaving the parent as it was", async () => {
    const id = await openSession("Carries a malformed commit");
    const fork = await dirOf("bob/app", bob);
    const tip = await runGit(fork, "rev-parse", `refs/sessions/${id}`);
    const tree = await runGit(fork, "rev-parse", `${tip}^{tree}`);
    const parent = await runGit(fork, "rev-parse", `${tip}^`);
    // A commit with no author email: fsck refuses it (missingEmail), so the parent must too.
    const bad = join(work, "bad-commit");
    writeFileSync(
      bad,
      `tree ${tree}\nparent ${parent}\nauthor Mallory 1700000000 +0000\ncommitter Mallory 1700000000 +0000\n\nbad\n`,
    );
    const sha = await runGit(fork, "hash-object", "-t", "commit", "--literally", "-w", bad);
    await runGit(fork, "update-ref", `refs/sessions/${id}`, sha);
    const before = await parentState();
    const r = await propose(bob, id);
    expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(await parentState()).toEqual(before);
  });

  it("does not sync a fork's session onto a commit it only borrows from its parent", async () => {
    // The parent moves on and becomes private; the fork still borrows its objects.
    const secret = await commit("secret.txt", "the parent's private plans\n");
    await runGit(src, "push", "-q", url("/alice/app.git", alice), "main");
    const hidden = await api(f.url, "PATCH", "/api/v1/projects/alice/app", {
      token: alice.token,
      json: { visibility: "private" },
    });
    expect(hidden.status).toBe(200);
    const id = await openSession("Wants the parent's secret");
    const fork = await dirOf("bob/app", bob);
    const tipBefore = await runGit(fork, "rev-parse", `refs/sessions/${id}`);
    const r = await api(f.url, "POST", `${sessionsApi("bob/app")}/${id}/sync`, {
      token: bob.token,
      json: { commit: secret },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(await runGit(fork, "rev-parse", `refs/sessions/${id}`)).toBe(tipBefore);
    const files = await api(f.url, "GET", `${sessionsApi("bob/app")}/${id}`);
    expect(JSON.stringify(files.body)).not.toContain("secret.txt");
    // And bob, who cannot read the parent any more, cannot propose to it either.
    const before = await parentState();
    expect([403, 404, 409]).toContain((await propose(bob, id)).status);
    expect(await parentState()).toEqual(before);
  });
});
