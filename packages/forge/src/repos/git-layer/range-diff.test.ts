// The layer's range reading against git itself: per-file line counts as
// `git diff-tree -r --no-renames --numstat` gives them (text, binary, submodule, file turned
// into a directory), for random trees (property), and the commit count, subjects and patch.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { gitEnv } from "../git.ts";
import { GitRepo } from "./git-repo.ts";
import { EMPTY_TREE } from "./objects.ts";
import { rangeCommitCount, rangeFiles, rangePatch, rangeStats, rangeSubjects } from "./range-diff.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-range-diff-"));
const dir = join(work, "repo.git");
const env = gitEnv({
  GIT_AUTHOR_NAME: "T",
  GIT_AUTHOR_EMAIL: "t@x",
  GIT_COMMITTER_NAME: "T",
  GIT_COMMITTER_EMAIL: "t@x",
});
const git = (args: string[], input?: string | Buffer) =>
  execFileSync("git", args, { cwd: dir, input, env }).toString("utf8").trim();
execFileSync("git", ["init", "-q", "--bare", dir], { env });
const repo = new GitRepo(dir, { timeoutMs: 10_000 });
afterAll(() => {
  repo.close();
  rmSync(work, { recursive: true, force: true });
});

type Content = string | Buffer | { link: string };
/** A commit holding exactly `files` (path → content), on `parent`. */
function commit(files: Record<string, Content>, parent: string | null, message = "m") {
  const index = join(work, `index-${Math.random()}`);
  const e = { ...env, GIT_INDEX_FILE: index };
  for (const [path, body] of Object.entries(files)) {
    const info =
      typeof body === "object" && "link" in body
        ? `160000,${body.link},${path}`
        : `100644,${execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, input: body, env }).toString().trim()},${path}`;
    execFileSync("git", ["update-index", "--add", "--cacheinfo", info], { cwd: dir, env: e });
  }
  const tree = Object.keys(files).length
    ? execFileSync("git", ["write-tree"], { cwd: dir, env: e }).toString().trim()
    : EMPTY_TREE;
  rmSync(index, { force: true });
  return git(["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message]);
}

const numstat = (from: string, to: string) =>
  git(["diff-tree", "-r", "-z", "--no-renames", "--numstat", from, to])
    .split("\0")
    .filter(Boolean)
    .map((rec) => {
      const [a, r, ...p] = rec.split("\t");
      return {
        path: p.join("\t"),
        added: a === "-" ? null : Number(a),
        removed: r === "-" ? null : Number(r),
      };
    });

describe("range diff", () => {
  const sub = "1".repeat(40);
  it("counts lines as git's numstat: text, binary, submodule, file into directory", async () => {
    const a = commit(
      { "a.txt": "one\ntwo\n", bin: Buffer.from([0, 1, 2]), s: { link: sub }, d: "x\n" },
      null,
    );
    const b = commit(
      { "a.txt": "one\n2\nthree", bin: Buffer.from([0, 1, 3]), s: { link: "2".repeat(40) }, "d/e": "y\n" },
      a,
    );
    for (const [from, to] of [
      [null, a],
      [a, b],
      [b, a],
    ] as const) {
      expect(await rangeFiles(repo, from, to)).toEqual(numstat(from ?? EMPTY_TREE, to));
    }
    expect(await rangeStats(repo, a, b)).toEqual({
      paths: ["a.txt", "bin", "d", "d/e", "s"],
      lines_added: 4,
      lines_removed: 3,
    });
  });

  it("agrees with git's numstat on random trees: same files, same net lines, never more changes (property)", async () => {
    const line = fc.constantFrom("a", "b", "c", "d", "", " x", "ü");
    const text = fc.array(line, { maxLength: 25 }).map((ls) => ls.join("\n"));
    const files = fc.dictionary(fc.constantFrom("f", "g", "h", "h/i", "h/j", "k l", "m/n/o"), text, {
      maxKeys: 5,
    });
    await fc.assert(
      fc.asyncProperty(files, files, async (x, y) => {
        // A path cannot be both a file and a directory in one tree.
        const clean = (f: Record<string, string>) => {
          const out = { ...f };
          if (Object.keys(out).some((p) => p.startsWith("h/"))) delete out.h;
          return out;
        };
        const from = commit(clean(x), null);
        const to = commit(clean(y), null);
        // Our line diff is minimal; git's xdiff is not always on repeated lines, so its counts
        // bound ours from above, and added - removed (the change in length) must agree.
        const ours = await rangeFiles(repo, from, to);
        const theirs = numstat(from, to);
        expect(ours.map((f) => f.path)).toEqual(theirs.map((f) => f.path));
        for (const [i, f] of ours.entries()) {
          const g = theirs[i]!;
          if (g.added === null) {
            expect(f).toEqual(g);
            continue;
          }
          expect(f.added! - f.removed!).toBe(g.added - g.removed!);
          expect(f.added).toBeLessThanOrEqual(g.added);
        }
      }),
      { numRuns: 25 },
    );
  }, 300_000);

  it("counts commits, lists subjects newest first, and cuts the patch", async () => {
    const one = commit({ f: "1\n" }, null, "one");
    const two = commit({ f: "1\n2\n" }, one, "two");
    const three = commit({ f: "1\n2\n3\n" }, two, "three");
    expect(await rangeCommitCount(repo, one, three)).toBe(2);
    expect(await rangeCommitCount(repo, null, three)).toBe(3);
    expect(await rangeSubjects(repo, one, three, 20)).toEqual(["three", "two"]);
    expect(await rangeSubjects(repo, null, three, 1)).toEqual(["three"]);
    const whole = await rangePatch(repo, one, three, 100_000);
    expect(whole.truncated).toBe(false);
    expect(whole.text).toContain("+3\n");
    const cut = await rangePatch(repo, one, three, 20);
    expect(cut).toEqual({ text: whole.text.slice(0, 20), truncated: true });
    await expect(rangeCommitCount(repo, "--all", three)).rejects.toThrow(/not a commit id/);
  });
});
