// The one-pass commit walk and the layer's change stats against git itself: the same commits
// as `git rev-list --first-parent --reverse`, with the parent, author, subject and trailer
// values git gives for each commit asked one at a time; the stream parsed the same however
// it is cut; paths and line counts as `git diff-tree -r --numstat`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { gitEnv } from "../git.ts";
import { commitChangeStats } from "./change-stats.ts";
import { firstParentCommits, type WalkedCommit, WalkParser } from "./commit-walk.ts";
import { GitRepo } from "./git-repo.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-commit-walk-"));
const dir = join(work, "repo.git");
const git = (args: string[], input?: string) =>
  execFileSync("git", args, { cwd: dir, input, env: gitEnv() }).toString("utf8");
execFileSync("git", ["init", "-q", "--bare", dir], { env: gitEnv() });
const repo = new GitRepo(dir, { timeoutMs: 10_000 });
afterAll(() => {
  repo.close();
  rmSync(work, { recursive: true, force: true });
});

const KEY = "Micelio-Session";
const messages = [
  "plain subject",
  "with trailers\n\nBody.\n\nMicelio-Session: 01ARZ3NDEKTSV4RRFFQ69G5FAV\nOther: x\n",
  "two values\n\nMicelio-Session: A\nMicelio-Session: B\n",
  "folded\n\nMicelio-Session: first\n  continued\n",
  "not a trailer block\n\nMicelio-Session: X\nthis line is prose, not a trailer at all\nnor this one\n",
  "ünïcödé subject — with dashes\n",
  "trailer-like subject: Micelio-Session: Z\n",
];

/** Builds main (with a merge of a side branch) through fast-import, one commit per message. */
function build() {
  const lines: string[] = [];
  const commit = (
    branch: string,
    mark: number,
    msg: string,
    from?: number,
    merge?: number,
    author = "Ann",
  ) => {
    lines.push(`commit refs/heads/${branch}`, `mark :${mark}`);
    lines.push(
      `author ${author} <a@x> ${1_700_000_000 + mark} +0000`,
      `committer C <c@x> ${1_700_000_000 + mark} +0000`,
    );
    lines.push(`data ${Buffer.byteLength(msg)}`, msg);
    if (from) lines.push(`from :${from}`);
    if (merge) lines.push(`merge :${merge}`);
    const body = `a\nb${mark}\nc\n`;
    lines.push(`M 100644 inline d${mark % 3}/f${mark % 4}.txt`, `data ${Buffer.byteLength(body)}`, body);
    if (mark === 3) lines.push("M 100644 inline bin.dat", "data 5", "\0\x01\x02\x03\x04");
    if (mark === 5) lines.push("D d1/f1.txt");
    lines.push("");
  };
  commit("side", 100, "side root");
  commit("side", 101, "side two\n\nMicelio-Session: SIDE\n", 100);
  for (const [i, m] of messages.entries())
    commit("main", i + 1, m, i ? i : undefined, i === 4 ? 101 : undefined, i % 2 ? "Bö Ann" : "Ann");
  git(["fast-import", "--quiet"], `${lines.join("\n")}\n`);
}
build();

/** What git says of one commit, asked the old way (a process per commit). */
function oneByOne(oid: string): WalkedCommit {
  const [parents, author, subject] = git(["log", "-1", "--format=%P%x00%an%x00%s", oid])
    .trimEnd()
    .split("\0");
  const trailers = git(["log", "-1", `--format=%(trailers:key=${KEY},valueonly,unfold)`, oid])
    .split("\n")
    .map((v) => v.trim())
    .filter(Boolean);
  return { oid, parent: parents.split(" ")[0] || null, author, subject, trailers };
}

describe("firstParentCommits", () => {
  it("lists the range as rev-list does, each commit as git reads it alone", async () => {
    const tip = git(["rev-parse", "main"]).trim();
    for (const exclude of [null, git(["rev-parse", "main~4"]).trim(), tip]) {
      const want = git([
        "rev-list",
        "--first-parent",
        "--reverse",
        tip,
        ...(exclude ? ["--not", exclude] : []),
      ])
        .split("\n")
        .filter(Boolean);
      const got = await firstParentCommits(dir, tip, exclude, KEY);
      expect(got.map((c) => c.oid)).toEqual(want);
      expect(got).toEqual(want.map(oneByOne));
    }
    const all = await firstParentCommits(dir, tip, null, KEY);
    expect(all[1].trailers).toEqual(["01ARZ3NDEKTSV4RRFFQ69G5FAV"]);
    expect(all[2].trailers).toEqual(["A", "B"]);
    expect(all[0].parent).toBeNull();
  });

  it("refuses names that are not commit ids and fails on unknown commits", async () => {
    await expect(firstParentCommits(dir, "main", null, KEY)).rejects.toThrow(/not a commit id/);
    await expect(firstParentCommits(dir, "f".repeat(40), null, KEY)).rejects.toThrow(/git log failed/);
  });

  it("parses the stream the same however it is cut", async () => {
    const tip = git(["rev-parse", "main"]).trim();
    const whole = await firstParentCommits(dir, tip, null, KEY);
    const format = `%H%x00%P%x00%an%x00%s%x00%(trailers:key=${KEY},valueonly,unfold)%x00`;
    const wire = execFileSync("git", ["log", "--first-parent", "--reverse", `--format=${format}`, tip], {
      cwd: dir,
      env: gitEnv(),
    });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.length }), { maxLength: 12 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new WalkParser();
        let from = 0;
        for (const c of [...at, wire.length]) {
          p.push(wire.subarray(from, c));
          from = c;
        }
        expect(p.end()).toEqual(whole);
      }),
    );
  });
});

describe("commitChangeStats", () => {
  it("gives git's paths and --numstat counts", async () => {
    const ids = git(["rev-list", "--reverse", "main"]).split("\n").filter(Boolean);
    const empty = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    for (const [from, to] of [[null, ids[ids.length - 1]], ...ids.slice(1).map((id, i) => [ids[i], id])]) {
      const rows = git(["diff-tree", "-r", "--no-renames", "--numstat", from ?? empty, to!])
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t"));
      const stats = await commitChangeStats(repo, from, to!);
      expect(stats.paths.sort()).toEqual(rows.map((r) => r[2]).sort());
      expect(stats.linesAdded).toBe(rows.reduce((n, r) => n + (r[0] === "-" ? 0 : Number(r[0])), 0));
      expect(stats.linesRemoved).toBe(rows.reduce((n, r) => n + (r[1] === "-" ? 0 : Number(r[1])), 0));
    }
  });
});
