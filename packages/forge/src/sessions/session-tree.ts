// A session's new tree from a list of file changes, built in memory through the git layer
// (no index file, no process): the changes apply in order with the semantics of
// `git update-index --index-info` on an index read from the previous tree, which is what
// `PUT …/changes` used to run. Writing a file where the tree has a directory replaces the
// directory, writing below a file replaces the file, deleting a path that is not a file is a
// no-op, and directories left empty disappear. Only the trees on the way to a changed path
// are read; the changed ones are written bottom-up (a PUT stages them, with its blobs and
// commit, to be written as one pack: staged-objects.ts).
import { EMPTY_TREE, formatTree, isTreeMode, type TreeEntry } from "../repos/git-layer/objects.ts";
import type { ObjectStore } from "../repos/git-layer/staged-objects.ts";

export type TreeEdit = { path: string; mode: string; oid: string } | { path: string; delete: true };

interface Dir {
  /** The tree's id as read; null for a directory created here. */
  oid: string | null;
  entries: Map<string, TreeEntry>;
  /** Directories opened for a change, by name (their entries are rewritten on write). */
  open: Map<string, Dir>;
}

const load = async (repo: ObjectStore, oid: string | null): Promise<Dir> => {
  const entries = new Map<string, TreeEntry>();
  if (oid && oid !== EMPTY_TREE) for (const e of await repo.readTree(oid)) entries.set(e.name, e);
  return { oid, entries, open: new Map() };
};

/** The tree `from` (null: empty) with `edits` applied in order; returns the new tree's id. */
export async function editTree(repo: ObjectStore, from: string | null, edits: TreeEdit[]): Promise<string> {
  const root = await load(repo, from);
  for (const edit of edits) {
    const parts = edit.path.split("/");
    const name = parts.pop()!;
    let dir: Dir | null = root;
    for (const part of parts) {
      dir = await child(repo, dir, part, !("delete" in edit));
      if (!dir) break;
    }
    if (!dir) continue; // deleting below a path that is not a directory
    const current = dir.entries.get(name);
    if ("delete" in edit) {
      if (current && !isTreeMode(current.mode)) dir.entries.delete(name);
      continue;
    }
    dir.open.delete(name);
    dir.entries.set(name, { name, mode: edit.mode, oid: edit.oid });
  }
  return (await write(repo, root)) ?? (await repo.write("tree", Buffer.alloc(0)));
}

/** The directory `name` in `dir`, opened; with `create`, made (replacing a file) when missing. */
async function child(repo: ObjectStore, dir: Dir, name: string, create: boolean): Promise<Dir | null> {
  const opened = dir.open.get(name);
  if (opened) return opened;
  const entry = dir.entries.get(name);
  const isDir = entry && isTreeMode(entry.mode);
  if (!isDir && !create) return null;
  const sub = await load(repo, isDir ? entry.oid : null);
  dir.open.set(name, sub);
  dir.entries.set(name, { name, mode: "40000", oid: sub.oid ?? EMPTY_TREE });
  return sub;
}

/** Writes the opened directories bottom-up; null when `dir` ends empty. */
async function write(repo: ObjectStore, dir: Dir): Promise<string | null> {
  for (const [name, sub] of dir.open) {
    const oid = await write(repo, sub);
    if (oid) dir.entries.set(name, { name, mode: "40000", oid });
    else dir.entries.delete(name);
  }
  // A rewritten directory holds only what an index holds: no empty subtrees.
  const entries = [...dir.entries.values()].filter((e) => !(isTreeMode(e.mode) && e.oid === EMPTY_TREE));
  if (entries.length === 0) return null;
  return repo.write("tree", formatTree(entries));
}
