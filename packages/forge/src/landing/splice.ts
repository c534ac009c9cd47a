// Landing by tree splice: a session whose paths are disjoint from everything landed since
// its base merges as trunk's tree with the session's paths replaced. The splice reads only
// the trees on the way to the changed paths, builds the new ones bottom-up in memory and
// writes them through the git layer (the lander stages them for its epoch,
// staged-objects.ts). It checks each path itself rather than trusting the conflict check:
// trunk's entry must still be the session's old one (or already its new one); anything else
// is reported as a conflict, as `git merge-tree` would.
import { EMPTY_TREE, formatTree, isTreeMode, type TreeEntry } from "../repos/git-layer/objects.ts";
import type { ObjectStore } from "../repos/git-layer/staged-objects.ts";
import type { PathChange, Side } from "../repos/git-layer/tree-diff.ts";

export interface SpliceResult {
  tree: string;
  conflicts: string[];
}

interface Node {
  /** The change at this exact path, if any. */
  leaf?: PathChange;
  /** Changes below this path, by next path component. */
  children: Map<string, Node>;
}

const same = (a: Side | null | undefined, b: Side | null | undefined) =>
  (a ?? null) === null
    ? (b ?? null) === null
    : !!b && a!.oid === b.oid && normMode(a!.mode) === normMode(b.mode);
const normMode = (m: string) => (isTreeMode(m) ? "40000" : m);

/** Trunk's tree `onto` (null: empty) with `changes` applied. */
export async function spliceTree(
  repo: ObjectStore,
  onto: string | null,
  changes: PathChange[],
): Promise<SpliceResult> {
  const root: Node = { children: new Map() };
  for (const ch of changes) {
    let node = root;
    for (const part of ch.path.split("/")) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.leaf = ch;
  }
  const conflicts: string[] = [];
  const tree = await build(repo, onto, root, "", conflicts);
  return { tree: tree ?? (await repo.write("tree", Buffer.alloc(0))), conflicts };
}

/** The new id of the tree `oid` at `prefix` after `node`'s changes; null when it ends empty. */
async function build(
  repo: ObjectStore,
  oid: string | null,
  node: Node,
  prefix: string,
  conflicts: string[],
): Promise<string | null> {
  const entries = new Map<string, TreeEntry>();
  if (oid && oid !== EMPTY_TREE) for (const e of await repo.readTree(oid)) entries.set(e.name, e);
  for (const [name, child] of node.children) {
    const path = prefix + name;
    let current: TreeEntry | undefined = entries.get(name);
    let below = false;
    if (child.children.size && current && isTreeMode(current.mode)) {
      // Changes inside an existing directory go first: they may empty it for a file.
      const sub = await build(repo, current.oid, child, `${path}/`, conflicts);
      if (sub) entries.set(name, { name, mode: "40000", oid: sub });
      else entries.delete(name);
      current = entries.get(name);
      below = true;
    }
    if (child.leaf) {
      const { old, next } = child.leaf;
      if (current && isTreeMode(current.mode)) {
        // Trunk has a directory where the session changes a file.
        conflicts.push(path);
        continue;
      }
      const have = current ? { mode: current.mode, oid: current.oid } : null;
      if (!same(have, old) && !same(have, next)) {
        conflicts.push(path);
        continue;
      }
      if (next) entries.set(name, { name, mode: next.mode, oid: next.oid });
      else entries.delete(name);
      current = entries.get(name);
    }
    if (child.children.size && !below) {
      if (current && !isTreeMode(current.mode)) {
        // Trunk (or the session's own change) has a file where the session needs a directory.
        conflicts.push(path);
        continue;
      }
      const sub = await build(repo, current?.oid ?? null, child, `${path}/`, conflicts);
      if (sub) entries.set(name, { name, mode: "40000", oid: sub });
      else entries.delete(name);
    }
  }
  if (conflicts.length) return null;
  if (entries.size === 0) return null;
  if (oid && !node.children.size) return oid;
  return repo.write("tree", formatTree([...entries.values()]));
}
