// Landing by tree splice equals git's own merge: for random trees and random disjoint
// change sets on trunk and in a session, the spliced tree is the tree `git merge-tree
// --write-tree` makes, and the session's paths are what `git diff-tree -r` lists.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { GitRepo } from "../repos/git-layer/git-repo.ts";
import { diffTrees } from "../repos/git-layer/tree-diff.ts";
import { spliceTree } from "./splice.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-splice-"));
const dir = join(work, "repo.git");
const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@x",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@x",
};
const git = (args: string[], input?: string) =>
  execFileSync("git", args, { cwd: dir, input, env }).toString().trim();
execFileSync("git", ["init", "-q", "--bare", dir]);
const repo = new GitRepo(dir);
afterAll(() => {
  repo.close();
  rmSync(work, { recursive: true, force: true });
});

/** A commit holding `files` (path → content; mode 100755 when the content starts with "#!"). */
function commit(files: Map<string, string>, parent?: string): string {
  const index = join(work, `index-${Math.random()}`);
  const lines = [...files].map(([p, c]) => {
    const blob = git(["hash-object", "-w", "--stdin"], c);
    return `${c.startsWith("#!") ? "100755" : "100644"} ${blob}\t${p}`;
  });
  execFileSync("git", ["update-index", "--add", "-z", "--index-info"], {
    cwd: dir,
    input: lines.length ? `${lines.join("\0")}\0` : "",
    env: { ...env, GIT_INDEX_FILE: index },
  });
  const tree = execFileSync("git", ["write-tree"], { cwd: dir, env: { ...env, GIT_INDEX_FILE: index } })
    .toString()
    .trim();
  rmSync(index, { force: true });
  return git(["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", "c"]);
}

const seg = fc.constantFrom("a", "b", "c", "d", "e.txt", "f", "a-b", "a.b");
const path = fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"));
const content = fc.constantFrom("one\n", "two\n", "#!/bin/sh\n", "three\nfour\n");
/** Whether two paths touch (equal, or one is a directory holding the other). */
const touches = (p: string, q: string) => p === q || p.startsWith(`${q}/`) || q.startsWith(`${p}/`);

/** A valid file set: no path is a directory of another. */
function files(entries: Array<[string, string]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, c] of entries) if (![...out.keys()].some((q) => touches(p, q) && p !== q)) out.set(p, c);
  return out;
}

/** Applies edits: null deletes; a path colliding with a directory or file of another is skipped. */
function apply(base: Map<string, string>, edits: Array<[string, string | null]>): Map<string, string> {
  const out = new Map(base);
  for (const [p, c] of edits) {
    if (c === null) out.delete(p);
    else if (![...out.keys()].some((q) => q !== p && touches(p, q))) out.set(p, c);
  }
  return out;
}

describe("tree splice", () => {
  it("equals git merge-tree for disjoint changes on trunk and in a session", async () => {
    const edit = fc.tuple(path, fc.option(content, { nil: null }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(path, content), { maxLength: 8 }),
        fc.array(edit, { maxLength: 5 }),
        fc.array(edit, { maxLength: 5 }),
        async (baseFiles, trunkEdits, sessionEdits) => {
          const base = files(baseFiles);
          const trunkFiles = apply(base, trunkEdits);
          const trunkChanged = [...new Set([...base.keys(), ...trunkFiles.keys()])].filter(
            (p) => base.get(p) !== trunkFiles.get(p),
          );
          // Disjoint as the conflict check guarantees: no session edit touches a trunk change.
          const disjoint = sessionEdits.filter(([p]) => !trunkChanged.some((q) => touches(p, q)));
          const sessionFiles = apply(base, disjoint);
          const baseCommit = commit(base);
          const trunkCommit = commit(trunkFiles, baseCommit);
          const sessionCommit = commit(sessionFiles, baseCommit);
          const [baseTree, trunkTree, sessionTree] = [baseCommit, trunkCommit, sessionCommit].map((c) =>
            git(["rev-parse", `${c}^{tree}`]),
          );
          const changes = await diffTrees(repo, baseTree, sessionTree);
          const listed = git(["diff-tree", "-r", "--no-renames", "--name-only", "-z", baseTree, sessionTree]);
          expect(changes.map((c) => c.path)).toEqual(listed.split("\0").filter(Boolean));
          const spliced = await spliceTree(repo, trunkTree, changes);
          const merged = git(["merge-tree", "--write-tree", trunkCommit, sessionCommit]);
          expect(spliced).toEqual({ tree: merged.split("\n")[0], conflicts: [] });
        },
      ),
      { numRuns: 25 },
    );
  });

  it("reports a path trunk changed since the base as a conflict instead of overwriting it", async () => {
    const base = commit(new Map([["a/x", "one\n"]]));
    const trunk = commit(new Map([["a/x", "two\n"]]), base);
    const session = commit(new Map([["a/x", "three\nfour\n"]]), base);
    const tree = (c: string) => git(["rev-parse", `${c}^{tree}`]);
    const changes = await diffTrees(repo, tree(base), tree(session));
    expect((await spliceTree(repo, tree(trunk), changes)).conflicts).toEqual(["a/x"]);
  });
});
