// A plain push of a long history onto trunk: every first-parent commit is accounted for by
// a landing at contiguous positions. A commit whose Micelio-Session trailer names an open
// session of the project lands that session (once); the other commits form one implicit
// session per consecutive run; commits off the first-parent line (a merged side branch)
// land nothing of their own. A later push continues from the recorded head.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitEnv } from "../repos/git.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-trunk-push-"));
const src = join(work, "src.git");

interface Spec {
  subject: string;
  trailers?: string[];
  /** A fast-import mark of a commit to merge as a second parent. */
  merge?: number;
}

/** Appends commits to `branch` with fast-import; commit n edits f/<n mod 20>.txt. */
function importCommits(branch: string, from: number, specs: Spec[], start: number) {
  const lines: string[] = [];
  specs.forEach((s, i) => {
    const n = start + i;
    const msg = `${s.subject}\n${s.trailers ? `\nBody of commit ${n}.\n\n${s.trailers.join("\n")}\n` : ""}`;
    const file = `line 1\nedit ${n}\nline 3\n`;
    lines.push(`commit refs/heads/${branch}`, `mark :${n}`, `committer T <t@x> ${1_700_000_000 + n} +0000`);
    lines.push(`data ${Buffer.byteLength(msg)}`, msg);
    if (i === 0 && from) lines.push(`from :${from}`);
    if (s.merge) lines.push(`merge :${s.merge}`);
    lines.push(`M 100644 inline f/${n % 20}.txt`, `data ${Buffer.byteLength(file)}`, file, "");
  });
  const marks = join(work, "marks");
  execFileSync(
    "git",
    ["fast-import", "--quiet", `--import-marks-if-exists=${marks}`, `--export-marks=${marks}`],
    { cwd: src, input: `${lines.join("\n")}\n`, env: gitEnv() },
  );
}

describe("a push of many commits to trunk", () => {
  let f: TestForge;
  let token: string;
  let remote: string;
  const base = "/api/v1/projects/pusher/many";
  const sessions: string[] = [];

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "pusher")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "many" } });
    remote = `${f.url.replace("http://", `http://pusher:${token}@`)}/pusher/many.git`;
    for (let i = 0; i < 5; i++) {
      const r = await api(f.url, "POST", `${base}/sessions`, { token, json: { goal: `session ${i}` } });
      expect(r.status).toBe(201);
      sessions.push(r.body.id);
    }
    execFileSync("git", ["init", "-q", "--bare", src], { env: gitEnv() });
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  const landings = async () =>
    ((await api(f.url, "GET", `${base}/landings?limit=200`)).body as Array<Record<string, any>>).reverse();
  const session = async (id: string) => (await api(f.url, "GET", `${base}/sessions/${id}`, { token })).body;
  const rev = (name: string) => runGit(src, "rev-parse", name);
  const numstat = async (from: string | null, to: string) => {
    const empty = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    const out = await runGit(src, "diff-tree", "-r", "--no-renames", "--numstat", from ?? empty, to);
    const rows = out.split("\n").filter(Boolean);
    return {
      paths: rows.length,
      added: rows.reduce((n, l) => n + Number(l.split("\t")[0]), 0),
      removed: rows.reduce((n, l) => n + Number(l.split("\t")[1]), 0),
    };
  };

  it("records every first-parent commit, each open session once, at contiguous positions", async () => {
    const [s0, s1, s2, s3, s4] = sessions;
    // A side branch (commits 1001–1003) whose commit names s4; merged by commit 150.
    importCommits(
      "side",
      0,
      [
        { subject: "side 1" },
        { subject: "side 2", trailers: [`Micelio-Session: ${s4}`] },
        { subject: "side 3" },
      ],
      1001,
    );
    const specs: Spec[] = Array.from({ length: 300 }, (_, i) => ({ subject: `commit ${i + 1} — café` }));
    specs[49].trailers = [`Micelio-Session: ${s0}`];
    specs[50].trailers = [`Micelio-Session: ${s0}`]; // names s0 again: a plain commit
    specs[119].trailers = ["Assisted-by: claude-code:opus", `Micelio-Session: ${s1}`];
    specs[120].trailers = [`Micelio-Session: ${s2}`, `Micelio-Session: ${s3}`]; // the first value counts
    specs[149].merge = 1003;
    specs[199].trailers = ["Micelio-Session: 01ARZ3NDEKTSV4RRFFQ69G5FAV"]; // no such session
    specs[299].trailers = [`Micelio-Session: ${s3}`];
    importCommits("main", 0, specs, 1);
    await runGit(src, "push", "-q", remote, "main");

    const log = await landings();
    expect(log.map((l) => l.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const at = (n: number) => rev(`main~${300 - n}`);
    const expected = [
      { last: 49, session: null, goal: "commit 1 — café", first: 1 },
      { last: 50, session: s0, goal: "session 0", first: 50 },
      { last: 119, session: null, goal: "commit 51 — café", first: 51 },
      { last: 120, session: s1, goal: "session 1", first: 120 },
      { last: 121, session: s2, goal: "session 2", first: 121 },
      { last: 299, session: null, goal: "commit 122 — café", first: 122 },
      { last: 300, session: s3, goal: "session 3", first: 300 },
    ];
    for (const [i, e] of expected.entries()) {
      const l = log[i];
      expect(l.commit).toBe(await at(e.last));
      expect(l.goal).toBe(e.goal);
      expect(l.author).toBe("pusher");
      if (e.session) expect(l.session).toBe(e.session);
      const s = await session(l.session);
      const stats = await numstat(e.first === 1 ? null : await at(e.first - 1), l.commit);
      expect(s).toMatchObject({
        status: "landed",
        landed_position: i + 1,
        landed_commit: l.commit,
        touched_paths: stats.paths,
        lines_added: stats.added,
        lines_removed: stats.removed,
      });
      expect(l.paths).toBe(stats.paths);
    }
    // The session named only off the first-parent line stays open.
    expect((await session(s4)).status).toBe("open");
  });

  it("records a later push from the recorded head on", async () => {
    importCommits("main", 300, [{ subject: "more 1" }, { subject: "more 2" }, { subject: "more 3" }], 301);
    await runGit(src, "push", "-q", remote, "main");
    const log = await landings();
    expect(log.map((l) => l.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log[7]).toMatchObject({ commit: await rev("main"), goal: "more 1", session: expect.any(String) });
    expect((await session(log[7].session)).touched_paths).toBe(3);
  });
});
