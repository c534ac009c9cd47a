// The overlay as changes against its base, for `mic land`: the files to write and the paths to
// delete. Only directories the overlay touched are walked: an untouched subtree is the base's.
import { type Change, type Node, type Overlay, parentOf } from "./overlay.ts";
import type { TreeEntry } from "./remote.ts";

export async function overlayChanges(o: Overlay): Promise<Change[]> {
  const out: Change[] = [];
  await diffDir(o, "", true, out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function diffDir(o: Overlay, dir: string, baseIsDir: boolean, out: Change[]) {
  const raw = baseIsDir ? ((await o.base.list(dir)) ?? []) : [];
  const rawBy = new Map(raw.map((e) => [e.name, e]));
  const vis = await o.list(dir);
  for (const name of new Set([...rawBy.keys(), ...vis.keys()])) {
    const path = dir ? `${dir}/${name}` : name;
    await diffNode(o, path, vis.get(name), rawBy.get(name), out);
  }
}

async function diffNode(
  o: Overlay,
  path: string,
  vis: Node | undefined,
  raw: TreeEntry | undefined,
  out: Change[],
) {
  if (raw && !o.touched(path) && o.baseShows(parentOf(path))) return; // as in the base
  if (vis?.kind === "dir") {
    if (raw && raw.type !== "tree") out.push({ path, delete: true });
    return diffDir(o, path, raw?.type === "tree", out);
  }
  if (raw?.type === "tree") await deleteAll(o, path, out);
  else if (raw && (!vis || vis.kind === "submodule")) {
    if (!vis) out.push({ path, delete: true });
    return;
  }
  if (vis?.kind === "file") {
    if (raw && !vis.local && vis.blob === raw.sha && vis.mode === raw.mode) return;
    out.push({ path, mode: vis.mode, blob: vis.local ? undefined : vis.blob, local: vis.local });
  } else if (vis?.kind === "symlink") {
    const target = vis.target ?? (await o.read(vis, 0, vis.size)).toString("utf8");
    out.push({ path, mode: "120000", target });
  }
}

async function deleteAll(o: Overlay, dir: string, out: Change[]) {
  for (const e of (await o.base.list(dir)) ?? []) {
    const p = `${dir}/${e.name}`;
    if (e.type === "tree") await deleteAll(o, p, out);
    else out.push({ path: p, delete: true });
  }
}
