// A change between two commits of one repository, for features that describe it (session
// stats, change cards, summaries). Files and line counts are read in process (tree diff and
// line diff over blobs from the long-lived `cat-file --batch`), counted as
// `git diff-tree -r --no-renames --numstat` counts them: binary files have no line counts,
// a submodule counts its "Subproject commit" line. The commit count, subjects and the patch
// text (cold paths: a background summary, a cached card) run git once each.

import { isBinary, lineDiff, splitLines } from "@micelio/core/line-diff";
import { GitError, gitStream, gitText } from "../git.ts";
import type { GitRepo } from "./git-repo.ts";
import { diffTrees, type PathChange } from "./tree-diff.ts";

export interface FileLines {
  path: string;
  /** Lines added and removed; null for a binary file. */
  added: number | null;
  removed: number | null;
}

const IN_FLIGHT = 16;
const TIMEOUT_MS = 30_000;
const OID = /^[0-9a-f]{40}$/;
/** Pathspecs are plain paths, never globs or :(magic). */
const READ_ENV = { GIT_LITERAL_PATHSPECS: "1" };

/** Each path changed from commit `from` (null: nothing) to commit `to`, in git's order. */
export async function rangeFiles(repo: GitRepo, from: string | null, to: string): Promise<FileLines[]> {
  const [a, b] = await Promise.all([from ? repo.readCommit(from) : null, repo.readCommit(to)]);
  const changes = await diffTrees(repo, a?.tree ?? null, b.tree);
  const out: FileLines[] = new Array(changes.length);
  let next = 0;
  const worker = async () => {
    while (next < changes.length) {
      const i = next++;
      out[i] = await fileLines(repo, changes[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, changes.length) }, worker));
  return out;
}

/** Paths and summed lines of rangeFiles (binary files count no lines). */
export async function rangeStats(repo: GitRepo, from: string | null, to: string) {
  const files = await rangeFiles(repo, from, to);
  return {
    paths: files.map((f) => f.path),
    lines_added: files.reduce((n, f) => n + (f.added ?? 0), 0),
    lines_removed: files.reduce((n, f) => n + (f.removed ?? 0), 0),
  };
}

async function fileLines(repo: GitRepo, ch: PathChange): Promise<FileLines> {
  const isLink = (s: PathChange["old"]) => s?.mode === "160000";
  const text = async (side: PathChange["old"]) =>
    !side
      ? Buffer.alloc(0)
      : isLink(side)
        ? Buffer.from(`Subproject commit ${side.oid}\n`)
        : (await repo.readType(side.oid, "blob")).data;
  const [a, b] = await Promise.all([text(ch.old), text(ch.next)]);
  if (isBinary(a) || isBinary(b)) return { path: ch.path, added: null, removed: null };
  const d = lineDiff(splitLines(a.toString("utf8")), splitLines(b.toString("utf8")));
  return { path: ch.path, added: d.added, removed: d.removed };
}

const checkIds = (...ids: Array<string | null>) => {
  for (const id of ids) if (id !== null && !OID.test(id)) throw new Error(`not a commit id: ${id}`);
};

/** How many commits `head` has that `base` (null: none) does not. */
export async function rangeCommitCount(repo: GitRepo, base: string | null, head: string) {
  checkIds(base, head);
  const out = await gitText(["rev-list", "--count", head, ...(base ? [`^${base}`] : []), "--"], {
    cwd: repo.dir,
    env: READ_ENV,
    timeoutMs: TIMEOUT_MS,
  });
  return Number(out.trim()) || 0;
}

/** The subjects of the newest `max` commits of the range, newest first. */
export async function rangeSubjects(repo: GitRepo, base: string | null, head: string, max: number) {
  checkIds(base, head);
  const out = await gitText(
    ["log", "--format=%s", `--max-count=${max}`, head, ...(base ? [`^${base}`] : []), "--"],
    { cwd: repo.dir, env: READ_ENV, timeoutMs: TIMEOUT_MS },
  );
  return out.split("\n").filter(Boolean);
}

/** The range's patch (`git diff-tree -p`), cut at maxBytes: the process stops reading there. */
export async function rangePatch(repo: GitRepo, from: string, to: string, maxBytes: number) {
  checkIds(from, to);
  const parts: Buffer[] = [];
  let size = 0;
  const args = ["diff-tree", "-r", "-p", "--no-color", "--no-ext-diff", "--no-renames", from, to];
  const run = await gitStream(args, { cwd: repo.dir, env: READ_ENV, timeoutMs: TIMEOUT_MS }, (d) => {
    parts.push(d);
    size += d.length;
    return size <= maxBytes;
  });
  if (!run.stopped && run.code !== 0)
    throw new GitError(`git diff-tree failed (${run.code}): ${run.stderr.trim()}`, run.code, run.stderr);
  const all = Buffer.concat(parts);
  return {
    text: all.subarray(0, maxBytes).toString("utf8"),
    truncated: run.stopped || all.length > maxBytes,
  };
}
