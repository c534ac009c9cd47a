// Sync moves a session onto a later trunk position: replayed by the forge when it applies
// cleanly, refused with the conflicting paths when not, or taken as the client's own replay.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-sync-"));
const b64 = (s: string) => Buffer.from(s).toString("base64");
const lines = (n: number, edit: Record<number, string> = {}) =>
  `${Array.from({ length: n }, (_, i) => edit[i + 1] ?? `line ${i + 1}`).join("\n")}\n`;

describe("session sync", () => {
  let f: TestForge;
  let token: string;
  let remote: string;
  const base = "/api/v1/projects/syncer/app";
  const open = async (goal: string) => {
    const r = await api(f.url, "POST", `${base}/sessions`, { token, json: { goal } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; base_position: number };
  };
  const put = async (id: string, path: string, content: string) => {
    const changes = [{ path, content: b64(content) }];
    const r = await api(f.url, "PUT", `${base}/sessions/${id}/changes`, { token, json: { changes } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const land = (id: string) => api(f.url, "POST", `${base}/sessions/${id}/land`, { token });
  const sync = (id: string, json: unknown = {}, t = token) =>
    api(f.url, "POST", `${base}/sessions/${id}/sync`, { token: t, json });
  const trunkFile = async (path: string) =>
    (await api(f.url, "GET", `${base}/blob/main/${path}`, { token })).body.content;

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "syncer")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app", visibility: "private" } });
    remote = `${f.url.replace("http://", `http://syncer:${token}@`)}/syncer/app.git`;
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "a.txt"), lines(20));
    writeFileSync(join(src, "b.txt"), "b\n");
    await runGit(src, "add", ".");
    await runGit(src, "commit", "-q", "-m", "Initial import");
    await runGit(src, "push", "-q", remote, "main");
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("replays a change that touches a landed path on different lines, then it lands", async () => {
    const first = await open("Edit the top of a");
    const second = await open("Edit the bottom of a");
    await put(first.id, "a.txt", lines(20, { 1: "top" }));
    await put(second.id, "a.txt", lines(20, { 20: "bottom" }));
    expect((await land(first.id)).status).toBe(200);
    const refused = await land(second.id);
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts.map((c: { path: string }) => c.path)).toEqual(["a.txt"]);

    const synced = await sync(second.id);
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(synced.body).toMatchObject({ base_position: 2, replayed: true });
    expect(synced.body.session).toMatchObject({ base_position: 2, touched_paths: 1 });
    const landed = await land(second.id);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    expect(await trunkFile("a.txt")).toBe(lines(20, { 1: "top", 20: "bottom" }));
  });

  it("refuses a textual conflict with its paths and changes nothing; takes the client's resolution", async () => {
    const one = await open("b says one");
    const two = await open("b says two");
    await put(one.id, "b.txt", "one\n");
    await put(two.id, "b.txt", "two\n");
    expect((await land(one.id)).status).toBe(200);
    const refused = await sync(two.id);
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts).toEqual([{ path: "b.txt", kind: "content" }]);
    const still = await api(f.url, "GET", `${base}/sessions/${two.id}`, { token });
    expect(still.body.base_position).toBe(two.base_position);

    // The client resolves on top of trunk and pushes its own replay to the session's ref.
    const clone = join(work, "resolve");
    await runGit(work, "clone", "-q", remote, clone);
    writeFileSync(join(clone, "b.txt"), "one and two\n");
    await runGit(clone, "commit", "-q", "-am", "b says two");
    const resolved = await runGit(clone, "rev-parse", "HEAD");
    await runGit(clone, "push", "-q", "-f", "origin", `HEAD:refs/sessions/${two.id}`);

    const head = (await api(f.url, "GET", `${base}/landings?limit=1`, { token })).body[0].position;
    const taken = await sync(two.id, { base: head, commit: resolved });
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({ base_position: head, commit: resolved, replayed: false });
    expect((await land(two.id)).status).toBe(200);
    expect(await trunkFile("b.txt")).toBe("one and two\n");
  });

  it("refuses bad targets and bad replays with clear errors", async () => {
    const s = await open("Touch c");
    await put(s.id, "c.txt", "c\n");
    const head = s.base_position;
    expect((await sync(s.id, { base: head + 5 })).status).toBe(409);
    expect((await sync(s.id, { base: -1 })).status).toBe(400);
    expect((await sync(s.id, { commit: "not-a-sha" })).status).toBe(400);
    const unknown = await sync(s.id, { commit: "0123456789012345678901234567890123456789" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/not the tip of refs\/sessions\/.*push it there first/);
    // A commit that is not directly on the target base is refused.
    const trunk = (await api(f.url, "GET", `${base}/landings?limit=2`, { token })).body[1].commit;
    const wrongParent = await sync(s.id, { commit: trunk });
    expect(wrongParent.status).toBe(400);
    // Nothing to replay onto the same base: a no-op that still answers the session.
    const same = await sync(s.id);
    expect(same.status).toBe(200);
    expect(same.body.replayed).toBe(false);
    expect((await api(f.url, "POST", `${base}/sessions/${s.id}/abandon`, { token })).status).toBe(200);
    expect((await sync(s.id)).status).toBe(409);
  });

  it("is invisible to other users and refused without credentials", async () => {
    const s = await open("Private work");
    const other = (await userWithToken(f.url, "outsider")).token;
    expect((await sync(s.id, {}, other)).status).toBe(404);
    const anon = await api(f.url, "POST", `${base}/sessions/${s.id}/sync`, { json: {} });
    expect(anon.status).toBe(401);
  });
});
