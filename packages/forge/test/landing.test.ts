import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../src/testing/client.ts";
import { startTestForge, type TestForge } from "../src/testing/forge.ts";
import { runGit } from "../src/testing/git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-land-"));
const run = runGit;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("landing sessions", () => {
  let f: TestForge;
  let token: string;
  let remote: string;
  const base = "/api/v1/projects/lander/app";
  const open = async (goal: string, extra: Record<string, unknown> = {}) => {
    const r = await api(f.url, "POST", `${base}/sessions`, { token, json: { goal, ...extra } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const change = async (id: string, files: Record<string, string | null>) => {
    const changes = Object.entries(files).map(([path, content]) =>
      content === null ? { path, delete: true } : { path, content: b64(content) },
    );
    const r = await api(f.url, "PUT", `${base}/sessions/${id}/changes`, { token, json: { changes } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const land = (id: string) => api(f.url, "POST", `${base}/sessions/${id}/land`, { token });

  beforeAll(async () => {
    f = await startTestForge();
    const u = await userWithToken(f.url, "lander");
    token = u.token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    remote = `${f.url.replace("http://", `http://lander:${token}@`)}/lander/app.git`;
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("records a plain push to trunk as a landing of an implicit session", async () => {
    const src = join(work, "src");
    await run(work, "init", "-q", "-b", "main", src);
    for (const name of ["a.txt", "b.txt", "c.txt"]) writeFileSync(join(src, name), `${name}\n`);
    await run(src, "add", ".");
    await run(src, "commit", "-q", "-m", "Initial import");
    await run(src, "push", "-q", remote, "main");
    const log = await api(f.url, "GET", `${base}/landings`);
    expect(log.body).toHaveLength(1);
    expect(log.body[0]).toMatchObject({
      position: 1,
      goal: "Initial import",
      author: "lander",
      origin: "human",
      commit: await run(src, "rev-parse", "HEAD"),
    });
  });

  it("lands disjoint sessions from one base, refuses a conflicting one with details, lands it after rebasing", async () => {
    const s1 = await open("Edit a", {
      agent: { name: "claude-code", model: "opus", version: "1" },
      prompt: { text: "Edit a" },
    });
    const s2 = await open("Edit b");
    const s3 = await open("Also edit a");
    expect([s1.base_position, s2.base_position, s3.base_position]).toEqual([1, 1, 1]);
    await api(f.url, "POST", `${base}/sessions/${s1.id}/events`, {
      token,
      json: {
        events: [
          { kind: "prompt", text: "please edit a", tokens: 12 },
          { kind: "decision", text: "Rewrite a.txt wholesale" },
        ],
      },
    });
    await change(s1.id, { "a.txt": "A1\n" });
    await change(s2.id, { "b.txt": "B1\n", "new/dir/file.txt": "new\n" });
    await change(s3.id, { "a.txt": "A-conflict\n" });
    const l1 = await land(s1.id);
    expect(l1.status, JSON.stringify(l1.body)).toBe(200);
    expect(l1.body.position).toBe(2);
    const l2 = await land(s2.id);
    expect(l2.body.position).toBe(3);
    const l3 = await land(s3.id);
    expect(l3.status).toBe(409);
    expect(l3.headers.get("content-type")).toContain("application/problem+json");
    expect(l3.body.conflicts).toEqual([
      expect.objectContaining({
        path: "a.txt",
        position: 2,
        session_id: s1.id,
        goal: "Edit a",
        author: "lander",
        agent: "claude-code:opus",
      }),
    ]);
    // Rebased: a new session on the current head with the same change lands.
    const s4 = await open("Also edit a, rebased");
    expect(s4.base_position).toBe(3);
    await change(s4.id, { "a.txt": "A2\n" });
    const l4 = await land(s4.id);
    expect(l4.body.position).toBe(4);
    // Trunk holds every change, with goals and trailers.
    const clone = join(work, "clone");
    await run(work, "clone", "-q", remote, clone);
    expect(await run(clone, "show", "HEAD:a.txt")).toBe("A2");
    expect(await run(clone, "show", "HEAD:b.txt")).toBe("B1");
    expect(await run(clone, "show", "HEAD:new/dir/file.txt")).toBe("new");
    const message = await run(clone, "log", "-1", "--format=%B", "HEAD~2");
    expect(message).toContain("Edit a");
    expect(message).toContain("- Rewrite a.txt wholesale");
    expect(message).toContain(`Micelio-Session: ${s1.id}`);
    expect(message).toContain("Assisted-by: claude-code:opus");
    expect(message).not.toContain("Signed-off-by");
    const s1After = await api(f.url, "GET", `${base}/sessions/${s1.id}`);
    expect(s1After.body).toMatchObject({
      status: "landed",
      landed_position: 2,
      touched_paths: 1,
      tokens: { input: 12, output: 0 },
    });
    expect((await land(s1.id)).status).toBe(409);
  });

  it("lands sessions pushed with git to refs/sessions/<id>", async () => {
    const s = await open("Change c via git");
    const clone = join(work, "clone");
    await run(clone, "fetch", "-q", "origin");
    await run(clone, "reset", "-q", "--hard", "origin/main");
    writeFileSync(join(clone, "c.txt"), "C via git\n");
    await run(clone, "commit", "-q", "-am", "c");
    await run(clone, "push", "-q", "origin", `HEAD:refs/sessions/${s.id}`);
    const l = await land(s.id);
    expect(l.status, JSON.stringify(l.body)).toBe(200);
    expect(l.body.position).toBe(5);
  });

  it("validates session input", async () => {
    expect((await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "" } })).status).toBe(400);
    expect(
      (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "x".repeat(501) } })).status,
    ).toBe(400);
    expect(
      (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "ahead", base: 999 } })).status,
    ).toBe(409);
    const s = await open("bad changes");
    for (const path of ["../escape", "/abs", "a\u0000b", ".git/config"]) {
      const r = await api(f.url, "PUT", `${base}/sessions/${s.id}/changes`, {
        token,
        json: { changes: [{ path, content: "eA==" }] },
      });
      expect(r.status, path).toBe(400);
    }
    const ev = await api(f.url, "POST", `${base}/sessions/${s.id}/events`, {
      token,
      json: { events: [{ kind: "nope" }] },
    });
    expect(ev.status).toBe(400);
    expect((await land(s.id)).status).toBe(400); // nothing uploaded
    expect((await api(f.url, "POST", `${base}/sessions/${s.id}/abandon`, { token })).body.status).toBe(
      "abandoned",
    );
    expect((await land(s.id)).status).toBe(409);
  });

  it("a deletion against a modification is a conflict both ways, on land and on sync", async () => {
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "gone" } });
    const gone = "/api/v1/projects/lander/gone";
    const session = async (goal: string, files: Record<string, string | null>) => {
      const s = (await api(f.url, "POST", `${gone}/sessions`, { token, json: { goal } })).body;
      const changes = Object.entries(files).map(([path, content]) =>
        content === null ? { path, delete: true } : { path, content: b64(content) },
      );
      const r = await api(f.url, "PUT", `${gone}/sessions/${s.id}/changes`, { token, json: { changes } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return s.id as string;
    };
    const landIn = (id: string) => api(f.url, "POST", `${gone}/sessions/${id}/land`, { token });
    expect((await landIn(await session("Two files", { "keep.txt": "k\n", "drop.txt": "d\n" }))).status).toBe(
      200,
    );
    const deletesKeep = await session("Delete keep.txt", { "keep.txt": null });
    const editsDrop = await session("Edit drop.txt", { "drop.txt": "d2\n" });
    const trunk = await session("Edit keep.txt, delete drop.txt", { "keep.txt": "k2\n", "drop.txt": null });
    expect((await landIn(trunk)).body.position).toBe(2);
    for (const [id, path, deletedBy] of [
      [deletesKeep, "keep.txt", "session"],
      [editsDrop, "drop.txt", "trunk"],
    ] as const) {
      const refused = await landIn(id);
      expect(refused.status, path).toBe(409);
      expect(refused.body.type).toBe("https://micelio.dev/problems/land-conflict");
      expect(refused.body.conflicts).toEqual([
        expect.objectContaining({ path, position: 2, session_id: trunk }),
      ]);
      const sync = await api(f.url, "POST", `${gone}/sessions/${id}/sync`, { token, json: {} });
      expect(sync.status, path).toBe(409);
      expect(sync.body.type).toBe("https://micelio.dev/problems/sync-conflict");
      expect(sync.body.conflicts).toEqual([{ path, kind: "modify_delete", deleted_by: deletedBy }]);
    }
    const blob = await api(f.url, "GET", `${gone}/blob/main/keep.txt`, { token });
    expect(blob.body.content).toBe("k2\n");
    expect((await api(f.url, "GET", `${gone}/blob/main/drop.txt`, { token })).status).toBe(404);
  });

  it("lands 50 sessions from 10 concurrent clients at consecutive positions, losing nothing", async () => {
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "busy" } });
    const busy = "/api/v1/projects/lander/busy";
    const client = async (c: number) => {
      const results: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = (
          await api(f.url, "POST", `${busy}/sessions`, { token, json: { goal: `client ${c} change ${i}` } })
        ).body;
        await api(f.url, "PUT", `${busy}/sessions/${s.id}/changes`, {
          token,
          json: { changes: [{ path: `c${c}/f${i}.txt`, content: b64(`${c}-${i}\n`) }] },
        });
        const r = await api(f.url, "POST", `${busy}/sessions/${s.id}/land`, { token });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        results.push(r.body.position);
      }
      return results;
    };
    const positions = (await Promise.all(Array.from({ length: 10 }, (_, c) => client(c)))).flat();
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const clone = join(work, "busy");
    await run(work, "clone", "-q", `${f.url}/lander/busy.git`, clone);
    const files = (await run(clone, "ls-files")).split("\n");
    expect(files).toHaveLength(50);
    expect(await run(clone, "rev-list", "--count", "HEAD")).toBe("50");
    const log = await api(f.url, "GET", `${busy}/landings?limit=200`);
    expect(log.body.map((l: { position: number }) => l.position)).toEqual(
      Array.from({ length: 50 }, (_, i) => 50 - i),
    );
  }, 240_000);
});
