// Paths that differ between two trees, read through the git layer: only subtrees whose ids
// differ are opened. Like `git diff-tree -r --no-renames`: a path turned from a file into a
// directory is a deletion plus additions; submodules (mode 160000) are leaves.
import type { GitRepo } from "./git-repo.ts";
import { compareEntries, isTreeMode, type TreeEntry } from "./objects.ts";

export interface Side {
  mode: string;
  oid: string;
}

export interface PathChange {
  path: string;
  /** null: the path is new. */
  old: Side | null;
  /** null: the path is deleted. */
  next: Side | null;
}

export async function diffTrees(
  repo: GitRepo,
  from: string | null,
  to: string | null,
): Promise<PathChange[]> {
  const out: PathChange[] = [];
  await walk(repo, from, to, "", out);
  return out;
}

async function walk(repo: GitRepo, a: string | null, b: string | null, prefix: string, out: PathChange[]) {
  if (a === b) return;
  const [ea, eb] = await Promise.all([a ? repo.readTree(a) : [], b ? repo.readTree(b) : []]);
  const byName = new Map<string, { a?: TreeEntry; b?: TreeEntry }>();
  for (const e of ea) byName.set(e.name, { a: e });
  for (const e of eb) byName.set(e.name, { ...byName.get(e.name), b: e });
  const names = [...byName.values()]
    .map((x) => (x.b ?? x.a)!)
    .sort(compareEntries)
    .map((e) => e.name);
  for (const name of names) {
    const { a: x, b: y } = byName.get(name)!;
    const path = prefix + name;
    const xt = x && isTreeMode(x.mode);
    const yt = y && isTreeMode(y.mode);
    if (x && y && x.oid === y.oid && x.mode === y.mode) continue;
    if (xt || yt) {
      // As git orders them: a file sorts before a directory of the same name.
      if (x && !xt) out.push({ path, old: side(x), next: null });
      if (y && !yt) out.push({ path, old: null, next: side(y) });
      await walk(repo, xt ? x!.oid : null, yt ? y!.oid : null, `${path}/`, out);
      continue;
    }
    out.push({ path, old: x ? side(x) : null, next: y ? side(y) : null });
  }
}

const side = (e: TreeEntry): Side => ({ mode: e.mode, oid: e.oid });
