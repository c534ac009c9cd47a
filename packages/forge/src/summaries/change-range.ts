// A code change between two commits of one repository (a session's base and its commit, a
// landing's or a commit's first parent and itself), read through git: how many commits, how
// many files and lines, the files that changed most (for Open Graph cards), and the text an
// LLM reads to summarize it (commit subjects, file list, the patch cut to a size), all through
// the git layer (repos/git-layer/range-diff.ts). Facts are kept in memory by (repository,
// base, head): commits never change, so neither do they.
import { getCommit } from "../browse/git-history.ts";
import { layerFor } from "../repos/git-layer/git-repos.ts";
import { EMPTY_TREE } from "../repos/git-layer/objects.ts";
import { rangeCommitCount, rangeFiles, rangePatch, rangeSubjects } from "../repos/git-layer/range-diff.ts";

export interface ChangeRange {
  /** The commit the change starts from; null for a root commit (the empty tree). */
  base: string | null;
  head: string;
}

export interface FileStat {
  path: string;
  /** Lines added and removed; null for a binary file. */
  added: number | null;
  removed: number | null;
}

export interface ChangeFacts {
  commits: number;
  files: number;
  added: number;
  removed: number;
  /** The files with the most changed lines, most first (at most TOP_FILES). */
  top: FileStat[];
}

export const TOP_FILES = 3;
const CACHE_SIZE = 500;
const cache = new Map<string, ChangeFacts>();

const numstat = (dir: string, range: ChangeRange): Promise<FileStat[]> =>
  rangeFiles(layerFor(dir), range.base, range.head);

const countCommits = (dir: string, range: ChangeRange) =>
  rangeCommitCount(layerFor(dir), range.base, range.head);

const size = (f: FileStat) => (f.added ?? 0) + (f.removed ?? 0);

/** Commits, files and lines of the change, and its biggest files. */
export async function changeFacts(dir: string, range: ChangeRange): Promise<ChangeFacts> {
  const key = `${dir}\0${range.base ?? ""}\0${range.head}`;
  const known = cache.get(key);
  if (known) return known;
  const [files, commits] = await Promise.all([numstat(dir, range), countCommits(dir, range)]);
  const facts: ChangeFacts = {
    commits,
    files: files.length,
    added: files.reduce((n, f) => n + (f.added ?? 0), 0),
    removed: files.reduce((n, f) => n + (f.removed ?? 0), 0),
    top: [...files].sort((a, b) => size(b) - size(a) || a.path.localeCompare(b.path)).slice(0, TOP_FILES),
  };
  cache.set(key, facts);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return facts;
}

/** What the model reads: subjects of the change's commits, its files, and the patch (cut). */
export async function changeText(dir: string, range: ChangeRange, maxPatchBytes: number) {
  const repo = layerFor(dir);
  const subjects = await rangeSubjects(repo, range.base, range.head, 20);
  const files = await numstat(dir, range);
  const patch = await rangePatch(repo, range.base ?? EMPTY_TREE, range.head, maxPatchBytes);
  return { subjects, files, patch: patch.text, truncated: patch.truncated };
}

/**
 * What a change's summary is stored under: the trees at its two ends ("" for none), so a
 * session and the landing that put the same change on trunk share one summary.
 */
export interface SummaryKey {
  base: string;
  head: string;
}

const treeKeys = new Map<string, SummaryKey>();

export async function summaryKey(dir: string, range: ChangeRange): Promise<SummaryKey> {
  const id = `${dir}\0${range.base ?? ""}\0${range.head}`;
  const known = treeKeys.get(id);
  if (known) return known;
  const ids = [...(range.base ? [range.base] : []), range.head];
  // Object ids only (hex, so never read as options; rev-parse echoes --end-of-options).
  if (!ids.every((id) => /^[0-9a-f]{40,64}$/.test(id))) throw new Error("a change is named by commit ids");
  const repo = layerFor(dir);
  const trees = await Promise.all(ids.map(async (id) => (await repo.readCommit(id)).tree));
  const key = { base: range.base ? trees[0]! : "", head: trees.at(-1)! };
  treeKeys.set(id, key);
  if (treeKeys.size > CACHE_SIZE) treeKeys.delete(treeKeys.keys().next().value as string);
  return key;
}

/** A commit as a change: from its first parent (none for a root commit) to itself. */
export async function commitRange(dir: string, sha: string): Promise<ChangeRange | null> {
  // Through the git layer, in process once read.
  const c = /^[0-9a-f]{40}$/.test(sha) ? await getCommit(dir, sha).catch(() => undefined) : undefined;
  return c?.sha === sha ? { base: c.parents[0] ?? null, head: sha } : null;
}
