// PUT …/changes through the git layer: concurrent uploads to one session are applied one
// after the other (none is lost, none fails), and the answer's stats count the whole
// session against its base, as `git diff-tree --numstat` does. Two writers that do not
// share the in-process queue (as two forge processes) lose no upload either: the ref moves
// by compare-and-swap and the loser applies its changes again.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitRepo } from "../repos/git-layer/git-repo.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { applyChanges, sessionRef } from "./session-changes.ts";
import type { SessionRow } from "./session-types.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("PUT session changes", () => {
  let f: TestForge;
  let token: string;
  const base = "/api/v1/projects/putter/app";
  const put = (id: string, changes: unknown[]) =>
    api(f.url, "PUT", `${base}/sessions/${id}/changes`, { token, json: { changes } });

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "putter")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
  });
  afterAll(async () => {
    await f.close();
  });

  it("applies concurrent uploads to one session one after the other", async () => {
    const s = (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "Many files" } })).body;
    const n = 12;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => put(s.id, [{ path: `dir/f${i}.txt`, content: b64(`${i}\nx\n`) }])),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const last = await put(s.id, [{ path: "dir/f0.txt", content: b64("0\ny\n") }]);
    expect(last.status).toBe(200);
    expect(last.body.paths).toEqual(Array.from({ length: n }, (_, i) => `dir/f${i}.txt`).sort());
    expect(last.body.lines_added).toBe(2 * n);
    expect(last.body.lines_removed).toBe(0);
    const row = (await api(f.url, "GET", `${base}/sessions/${s.id}`, { token })).body;
    expect(row).toMatchObject({ touched_paths: n, lines_added: 2 * n, lines_removed: 0 });
  });

  it("refuses the paths git would drop (.git in any spelling, a symlink .gitmodules)", async () => {
    const s = (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "Bad paths" } })).body;
    for (const path of ["a/.GIT/config", ".Git", "x/git~1/y", "a/.git. /b", ".git:x"]) {
      const r = await put(s.id, [{ path, content: b64("x") }]);
      expect(r.status, path).toBe(400);
    }
    const link = await put(s.id, [{ path: ".gitmodules", content: b64("x"), mode: "120000" }]);
    expect(link.status).toBe(400);
    const fine = await put(s.id, [
      { path: "a\\b", content: b64("x") },
      { path: ".gitmodules", content: b64("x") },
      { path: "x/.gitx", content: b64("x") },
    ]);
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
    expect(fine.body.paths).toEqual([".gitmodules", "a\\b", "x/.gitx"]);
  });

  it("answers the session's tree, and the land answer carries the landed commit object", async () => {
    const s = (await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: "Tree ids" } })).body;
    const r = await put(s.id, [{ path: "t/one.txt", content: b64("one\n") }]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const project = (await api(f.url, "GET", base, { token })).body;
    const dir = f.forge.repos.dir(project.id);
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir }).toString().trim();
    expect(r.body.tree).toBe(git("rev-parse", `${sessionRef(s.id)}^{tree}`));

    const landed = await api(f.url, "POST", `${base}/sessions/${s.id}/land`, { token });
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    const raw = Buffer.from(landed.body.commit_object, "base64");
    expect(raw.equals(execFileSync("git", ["cat-file", "commit", landed.body.commit], { cwd: dir }))).toBe(
      true,
    );
    expect(landed.body.tree).toBe(git("rev-parse", `${landed.body.commit}^{tree}`));
    // The answer's session is the row the epoch recorded, shaped as a later read shows it.
    const read = await api(f.url, "GET", `${base}/sessions/${s.id}`, { token });
    expect(landed.body.session.status).toBe("landed");
    const { change_summary: _detailOnly, ...shown } = read.body.session ?? read.body;
    expect(landed.body.session).toEqual(shown);
  });
});

describe("applyChanges from two writers at once", () => {
  it("loses no upload when the session ref moves under it", async () => {
    const work = mkdtempSync(join(tmpdir(), "micelio-put-race-"));
    const dir = join(work, "repo.git");
    execFileSync("git", ["init", "-q", "--bare", dir]);
    // Two pools' views of one repository (their queues differ, as in two processes).
    const [a, b] = [new GitRepo(dir), new GitRepo(`${dir}/`)];
    try {
      const session = { id: "01RACE", base_commit: null, goal: "Race", author_handle: "ada" } as SessionRow;
      const put = (repo: GitRepo, i: number) =>
        applyChanges(repo, session, {
          changes: [{ path: `f${i}`, content: Buffer.from(`${i}\n`).toString("base64") }],
        });
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => put(i % 2 ? a : b, i)));
      const files = execFileSync("git", ["ls-tree", "--name-only", sessionRef(session.id)], { cwd: dir })
        .toString()
        .trim()
        .split("\n");
      expect(files).toEqual(["f0", "f1", "f2", "f3", "f4", "f5"]);
    } finally {
      a.close();
      b.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
