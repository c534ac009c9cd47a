// The last commit that touched each entry of a directory, computed once per head commit and
// cached by commit id (and directory) in the render cache. After a landing, the new head's
// table is the previous head's with the entries the new commits changed replaced: the layer
// diffs the directory's tree between each commit and its parent in process, so no log walk
// (and no git process) runs. This is exact for single-parent commits: `git log` from such a
// commit shows it first, then exactly what its parent's log shows. Merges, and heads with no
// cached ancestor within WALK_BACK first parents, fall back to one bounded `git log` walk.

import type { RenderCache } from "../render/index.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { listTreeObject, readObject } from "../repos/git-layer/repo-reads.ts";
import { type CommitSummary, getCommit, lastCommits } from "./git-history.ts";
import { subjectOf } from "./git-objects.ts";
import type { TreeEntry } from "./git-read.ts";

/** How many first parents are looked at for a table to start from. */
const WALK_BACK = 64;

type Table = Map<string, CommitSummary>;

class PartialResult extends Error {
  constructor(readonly value: string) {
    super("partial result");
  }
}

const keyOf = (commit: string, dirPath: string) => `${commit}:last-commits:v1:${dirPath}`;

const encode = (t: Table) =>
  JSON.stringify([...t].map(([name, c]) => [name, { ...c, date: c.date.getTime() }]));

function decode(json: string): Table {
  const pairs = JSON.parse(json) as [string, CommitSummary & { date: number }][];
  return new Map(pairs.map(([n, c]) => [n, { ...c, date: new Date(c.date) }]));
}

/** Each entry's last commit (entries not found within the walk's bound are left out). */
export async function cachedLastCommits(
  cache: RenderCache,
  repo: GitRepo,
  commit: string,
  dirPath: string,
  entries: TreeEntry[],
): Promise<Table> {
  let json: string;
  try {
    json = await cache.getOrCompute(keyOf(commit, dirPath), async () => {
      const derived = await fromAncestor(cache, repo, commit, dirPath);
      if (derived) return encode(derived);
      const names = entries.map((e) => e.name);
      const { found, complete } = await lastCommits(repo, commit, dirPath, names);
      if (!complete) throw new PartialResult(encode(found)); // shown, but not cached
      return encode(found);
    });
  } catch (err) {
    if (!(err instanceof PartialResult)) throw err;
    json = err.value;
  }
  return decode(json);
}

/** The directory's tree id at a commit (undefined: no such directory). */
async function dirTree(repo: GitRepo, commit: string, dirPath: string): Promise<string | undefined> {
  const obj = await readObject(repo, commit);
  if (obj?.type !== "commit") return undefined;
  let tree = /^tree ([0-9a-f]{40})/.exec(obj.data.toString("latin1", 0, 46))?.[1];
  for (const name of dirPath ? dirPath.split("/") : []) {
    const e = tree ? (await listTreeObject(repo, tree))?.find((x) => x.name === name) : undefined;
    tree = e?.type === "tree" ? e.oid : undefined;
  }
  return tree;
}

/** The table from the nearest first-parent ancestor that has one, over single-parent commits. */
async function fromAncestor(
  cache: RenderCache,
  repo: GitRepo,
  commit: string,
  dirPath: string,
): Promise<Table | undefined> {
  const chain: string[] = [];
  let at = commit;
  let base: Table | undefined;
  for (let i = 0; i < WALK_BACK && !base; i++) {
    const c = await getCommit(repo, at);
    if (c?.parents.length !== 1) return undefined;
    chain.push(at);
    at = c.parents[0]!;
    const hit = await cache.get(keyOf(at, dirPath));
    if (hit) base = decode(hit);
  }
  if (!base) return undefined;
  let parentTree = await dirTree(repo, at, dirPath);
  for (const sha of chain.reverse()) {
    const tree = await dirTree(repo, sha, dirPath);
    if (tree !== parentTree) {
      const before = new Map(
        (parentTree ? ((await listTreeObject(repo, parentTree)) ?? []) : []).map((e) => [e.name, e]),
      );
      const after = tree ? ((await listTreeObject(repo, tree)) ?? []) : [];
      const obj = (await readObject(repo, sha))!;
      const c = (await getCommit(repo, sha))!;
      const summary: CommitSummary = {
        sha,
        date: c.author.date,
        author: c.author.name,
        subject: subjectOf(obj.data),
      };
      for (const e of after) {
        const old = before.get(e.name);
        if (!old || old.oid !== e.oid || old.mode !== e.mode) base.set(e.name, summary);
      }
      for (const name of before.keys()) if (!after.some((e) => e.name === name)) base.delete(name);
    }
    parentTree = tree;
  }
  return base;
}
