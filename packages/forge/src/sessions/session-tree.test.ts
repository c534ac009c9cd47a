// A session's tree built through the git layer equals the tree git builds the old way (an
// index read from the previous tree, `update-index --index-info`, `write-tree`) for random
// change sets: adds, modifications, deletions, nested directories, modes, a file replacing
// a directory and the reverse. The session's commit equals `git commit-tree -m`'s.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { writeCommitIn } from "../landing/git-land.ts";
import { GitRepo } from "../repos/git-layer/git-repo.ts";
import { commitEnv } from "./session-changes.ts";
import { editTree, type TreeEdit } from "./session-tree.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-session-tree-"));
const dir = join(work, "repo.git");
const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (args: string[], input?: string | Buffer, extra: Record<string, string> = {}) =>
  execFileSync("git", args, { cwd: dir, input, env: { ...env, ...extra } })
    .toString()
    .trim();
execFileSync("git", ["init", "-q", "--bare", dir]);
const repo = new GitRepo(dir);
afterAll(() => {
  repo.close();
  rmSync(work, { recursive: true, force: true });
});

type Change = { path: string; mode: string; content: string } | { path: string; delete: true };

const blobs = new Map<string, string>();
/** The blob of `content`, written by git (once per content). */
const blobOf = (content: string) => {
  if (!blobs.has(content)) blobs.set(content, git(["hash-object", "-w", "--stdin"], content));
  return blobs.get(content)!;
};

/** The old method: `start` (null: empty) read into a temporary index, the changes, write-tree. */
function gitTree(start: string | null, changes: Change[]): string {
  const index = { GIT_INDEX_FILE: join(work, `index-${Math.random()}`) };
  try {
    git(start ? ["read-tree", start] : ["read-tree", "--empty"], undefined, index);
    const lines = changes.map((ch) =>
      "delete" in ch ? `0 ${"0".repeat(40)}\t${ch.path}` : `${ch.mode} ${blobOf(ch.content)}\t${ch.path}`,
    );
    git(["update-index", "-z", "--index-info"], `${lines.join("\0")}\0`, index);
    return git(["write-tree"], undefined, index);
  } finally {
    rmSync(index.GIT_INDEX_FILE, { force: true });
  }
}

/** The new method: blobs and trees written through the layer. */
async function layerTree(start: string | null, changes: Change[]): Promise<string> {
  const edits: TreeEdit[] = [];
  for (const ch of changes)
    edits.push(
      "delete" in ch
        ? ch
        : { path: ch.path, mode: ch.mode, oid: await repo.write("blob", Buffer.from(ch.content)) },
    );
  return editTree(repo, start, edits);
}

const seg = fc.constantFrom("a", "b", "c", "e.txt", "a-b", "a.b", "é");
const path = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
const mode = fc.constantFrom("100644", "100755", "120000");
const content = fc.constantFrom("one\n", "two\n", "three\nfour\n", "");
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ path, mode, content }),
  fc.record({ path, delete: fc.constant(true as const) }),
);
/** Change lists as the API takes them: every path at most once. */
const changeSet = fc.uniqueArray(change, { minLength: 1, maxLength: 12, selector: (c) => c.path });

describe("a session's tree through the git layer", () => {
  it("equals the tree git builds from an index for random change sets on random trees", async () => {
    await fc.assert(
      fc.asyncProperty(changeSet, fc.array(changeSet, { maxLength: 3 }), async (first, more) => {
        // The previous tree is itself built by earlier uploads (so it may be empty or nested).
        let ours: string | null = null;
        let theirs: string | null = null;
        for (const changes of [first, ...more]) {
          theirs = gitTree(theirs, changes);
          ours = await layerTree(ours, changes);
          expect(ours).toBe(theirs);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("replaces in order: a file then a path below it, and a directory then a file in its place", async () => {
    const start = gitTree(null, [
      { path: "d/x", mode: "100644", content: "x\n" },
      { path: "d/y/z", mode: "100644", content: "z\n" },
      { path: "f", mode: "100755", content: "f\n" },
    ]);
    const changes: Change[] = [
      { path: "f/g", mode: "100644", content: "g\n" },
      { path: "d/y/z/w", mode: "120000", content: "target" },
      { path: "d", mode: "100644", content: "d\n" },
      { path: "missing/dir/file", delete: true },
    ];
    expect(await layerTree(start, changes)).toBe(gitTree(start, changes));
    const empty = gitTree(start, [
      { path: "d/x", delete: true },
      { path: "d/y/z", delete: true },
      { path: "f", delete: true },
    ]);
    expect(
      await layerTree(start, [
        { path: "d/x", delete: true },
        { path: "d/y/z", delete: true },
        { path: "f", delete: true },
      ]),
    ).toBe(empty);
  });

  it("writes the commit git commit-tree -m writes", async () => {
    const tree = gitTree(null, [{ path: "a", mode: "100644", content: "a\n" }]);
    const parent = git(["commit-tree", tree, "-m", "base"], undefined, commitEnv({ author_handle: "x" }));
    const session = { author_handle: "ada", goal: "Fix the parser: ünïcode" };
    const e = commitEnv(session, new Date("2024-05-06T07:08:09Z"));
    const theirs = git(["commit-tree", tree, "-p", parent, "-m", session.goal], undefined, e);
    expect(await writeCommitIn(repo, tree, parent, `${session.goal}\n`, e)).toBe(theirs);
  });
});
