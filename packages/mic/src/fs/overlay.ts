// The session overlay of a mount: a copy-on-write layer over the project's tree at a position.
// The base is read-only and lazy (tree listings by path, from the forge through the cache);
// every change is an overlay entry at a path: a file (its bytes in a local data file, or still
// the base blob when only its mode changed or it was moved), a symlink, a directory (always
// opaque: nothing of the base shows beneath a directory made or moved here), or "gone" (a
// whiteout). A path resolves by walking its parents: the nearest overlay entry decides, the
// base answers only below no opaque directory. The overlay is kept in a directory (state.json
// plus data files) so it survives a restart of mic; changes() is what `mic land` sends.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { FsError } from "./fs-error.ts";
import { overlayChanges } from "./overlay-changes.ts";
import type { TreeEntry } from "./remote.ts";

export type OEntry =
  | { kind: "file"; mode: string; blob?: string; local?: string; size: number; mtime: number }
  | { kind: "symlink"; target: string; mtime: number }
  | { kind: "dir"; mtime: number }
  | { kind: "gone" };

export type Node =
  | { kind: "file"; mode: string; size: number; blob?: string; local?: string; mtime?: number }
  | { kind: "symlink"; target?: string; blob?: string; size: number; mtime?: number }
  | { kind: "dir"; tree?: string; mtime?: number }
  | { kind: "submodule"; commit: string };

export interface Base {
  /** The base's entries of directory `path` ("" is the root), or null when it is no directory. */
  list(path: string): Promise<TreeEntry[] | null>;
  blob(sha: string): Promise<Buffer>;
}

export type Change =
  | { path: string; delete: true }
  | { path: string; mode: string; blob?: string; local?: string; target?: string };

export const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const nameOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const under = (p: string, dir: string) => (dir === "" ? p !== "" : p.startsWith(`${dir}/`));

export function baseNode(e: TreeEntry): Node {
  if (e.type === "tree") return { kind: "dir", tree: e.sha };
  if (e.type === "commit") return { kind: "submodule", commit: e.sha };
  if (e.mode === "120000") return { kind: "symlink", blob: e.sha, size: e.size ?? 0 };
  return { kind: "file", mode: e.mode, blob: e.sha, size: e.size ?? 0 };
}

function overlayNode(e: Exclude<OEntry, { kind: "gone" }>): Node {
  if (e.kind === "dir") return { kind: "dir", mtime: e.mtime };
  if (e.kind === "symlink")
    return { kind: "symlink", target: e.target, size: Buffer.byteLength(e.target), mtime: e.mtime };
  return { kind: "file", mode: e.mode, size: e.size, blob: e.blob, local: e.local, mtime: e.mtime };
}

export class Overlay {
  readonly entries = new Map<string, OEntry>();
  private seq = 0;

  constructor(
    readonly base: Base,
    readonly dir: string,
  ) {
    mkdirSync(join(dir, "data"), { recursive: true });
    try {
      const saved = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as {
        seq: number;
        entries: [string, OEntry][];
      };
      this.seq = saved.seq;
      for (const [p, e] of saved.entries) this.entries.set(p, e);
    } catch {
      /* a new overlay */
    }
  }

  /** Writes the overlay's state (a temporary file, then a rename). */
  save() {
    const tmp = join(this.dir, "state.json.tmp");
    writeFileSync(tmp, JSON.stringify({ seq: this.seq, entries: [...this.entries] }));
    renameSync(tmp, join(this.dir, "state.json"));
  }

  /** What is at `path` now, or undefined; ENOTDIR when a parent is a file. */
  async stat(path: string): Promise<Node | undefined> {
    if (path === "") return { kind: "dir" };
    const parts = path.split("/");
    let baseVisible = true;
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      const o = this.entries.get(p);
      const last = i === parts.length;
      if (o) {
        if (o.kind === "gone") return undefined;
        if (o.kind === "dir") {
          baseVisible = false;
          if (last) return overlayNode(o);
          continue;
        }
        if (last) return overlayNode(o);
        throw new FsError("ENOTDIR", p);
      }
      if (!baseVisible) return undefined;
      const listing = await this.base.list(parentOf(p));
      const e = listing?.find((x) => x.name === parts[i - 1]);
      if (!e) return undefined;
      if (last) return baseNode(e);
      if (e.type !== "tree") throw new FsError("ENOTDIR", p);
    }
    return undefined;
  }

  /** Whether the base shows at `dir` (no opaque directory or whiteout at or above it). */
  baseShows(dir: string): boolean {
    for (let p = dir; ; p = parentOf(p)) {
      if (p !== "" && this.entries.has(p)) return false;
      if (p === "") return true;
    }
  }

  /** A directory's entries by name, in name order; ENOTDIR/ENOENT otherwise. */
  async list(dir: string): Promise<Map<string, Node>> {
    const node = await this.stat(dir);
    if (!node) throw new FsError("ENOENT", dir);
    if (node.kind !== "dir") throw new FsError("ENOTDIR", dir);
    const out = new Map<string, Node>();
    if (this.baseShows(dir)) for (const e of (await this.base.list(dir)) ?? []) out.set(e.name, baseNode(e));
    for (const [p, e] of this.entries) {
      if (parentOf(p) !== dir || p === "") continue;
      if (e.kind === "gone") out.delete(nameOf(p));
      else out.set(nameOf(p), overlayNode(e));
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private async requireDir(dir: string) {
    const n = await this.stat(dir);
    if (!n) throw new FsError("ENOENT", dir);
    if (n.kind !== "dir") throw new FsError("ENOTDIR", dir);
  }

  private newLocal() {
    return `d${(++this.seq).toString(36)}`;
  }

  /** The bytes of a file or symlink node from `offset`, at most `count`. */
  async read(node: Node, offset: number, count: number): Promise<Buffer> {
    if (node.kind === "symlink" && node.target !== undefined)
      return Buffer.from(node.target).subarray(offset, offset + count);
    if (node.kind !== "file" && node.kind !== "symlink") throw new FsError("EISDIR", "");
    if ("local" in node && node.local) {
      const fh = await open(join(this.dir, "data", node.local), "r");
      try {
        const buf = Buffer.alloc(Math.max(0, Math.min(count, node.size - offset)));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    }
    if (!node.blob) return Buffer.alloc(0);
    return (await this.base.blob(node.blob)).subarray(offset, offset + count);
  }

  async create(path: string, mode = "100644", exclusive = false): Promise<Node> {
    await this.requireDir(parentOf(path));
    const now = await this.stat(path);
    if (now && exclusive) throw new FsError("EEXIST", path);
    if (now?.kind === "dir") throw new FsError("EISDIR", path);
    if (now?.kind === "file") return now;
    const local = this.newLocal();
    writeFileSync(join(this.dir, "data", local), "");
    this.entries.set(path, { kind: "file", mode, local, size: 0, mtime: Date.now() });
    this.save();
    return (await this.stat(path))!;
  }

  /** The file at `path` with its bytes in a local data file (copied from the base on first write). */
  private async own(path: string): Promise<Extract<OEntry, { kind: "file" }>> {
    const n = await this.stat(path);
    if (!n) throw new FsError("ENOENT", path);
    if (n.kind !== "file") throw new FsError(n.kind === "dir" ? "EISDIR" : "EINVAL", path);
    if (n.local) return this.entries.get(path) as Extract<OEntry, { kind: "file" }>;
    const local = this.newLocal();
    writeFileSync(join(this.dir, "data", local), n.blob ? await this.base.blob(n.blob) : Buffer.alloc(0));
    const e = { kind: "file" as const, mode: n.mode, local, size: n.size, mtime: Date.now() };
    this.entries.set(path, e);
    return e;
  }

  async write(path: string, offset: number, data: Buffer) {
    const e = await this.own(path);
    const fh = await open(join(this.dir, "data", e.local!), "r+");
    try {
      await fh.write(data, 0, data.length, offset);
    } finally {
      await fh.close();
    }
    e.size = Math.max(e.size, offset + data.length);
    e.mtime = Date.now();
    this.save();
  }

  async truncate(path: string, size: number) {
    const e = await this.own(path);
    const fh = await open(join(this.dir, "data", e.local!), "r+");
    try {
      await fh.truncate(size);
    } finally {
      await fh.close();
    }
    e.size = size;
    e.mtime = Date.now();
    this.save();
  }

  async chmod(path: string, executable: boolean) {
    const n = await this.stat(path);
    if (n?.kind !== "file") return;
    const mode = executable ? "100755" : "100644";
    if (mode === n.mode) return;
    const prev = this.entries.get(path);
    if (prev?.kind === "file") prev.mode = mode;
    else this.entries.set(path, { kind: "file", mode, blob: n.blob, size: n.size, mtime: Date.now() });
    this.save();
  }

  async mkdir(path: string) {
    await this.requireDir(parentOf(path));
    if (await this.stat(path)) throw new FsError("EEXIST", path);
    this.entries.set(path, { kind: "dir", mtime: Date.now() });
    this.save();
  }

  async symlink(path: string, target: string) {
    await this.requireDir(parentOf(path));
    if (await this.stat(path)) throw new FsError("EEXIST", path);
    this.entries.set(path, { kind: "symlink", target, mtime: Date.now() });
    this.save();
  }

  /** Removes a file or symlink (dir: false) or an empty directory (dir: true). */
  async remove(path: string, dir: boolean) {
    const n = await this.stat(path);
    if (!n) throw new FsError("ENOENT", path);
    if (dir && n.kind !== "dir") throw new FsError("ENOTDIR", path);
    if (!dir && n.kind === "dir") throw new FsError("EISDIR", path);
    if (dir && (await this.list(path)).size > 0) throw new FsError("ENOTEMPTY", path);
    this.drop(path);
    this.entries.set(path, { kind: "gone" });
    this.save();
  }

  private drop(prefix: string) {
    for (const p of [...this.entries.keys()]) if (p === prefix || under(p, prefix)) this.entries.delete(p);
  }

  async rename(from: string, to: string) {
    const src = await this.stat(from);
    if (!src) throw new FsError("ENOENT", from);
    if (from === to) return;
    if (under(to, from)) throw new FsError("EINVAL", to);
    await this.requireDir(parentOf(to));
    const dst = await this.stat(to);
    if (dst) {
      if (dst.kind === "dir" && src.kind !== "dir") throw new FsError("EISDIR", to);
      if (dst.kind !== "dir" && src.kind === "dir") throw new FsError("ENOTDIR", to);
      if (dst.kind === "dir" && (await this.list(to)).size > 0) throw new FsError("ENOTEMPTY", to);
    }
    const moved: [string, OEntry][] = [];
    await this.copyOut(from, to, src, moved);
    this.drop(from);
    this.drop(to);
    this.entries.set(from, { kind: "gone" });
    for (const [p, e] of moved) this.entries.set(p, e);
    this.save();
  }

  /** The entries that recreate `node` (and, for a directory, all beneath it) at `to`. */
  private async copyOut(from: string, to: string, node: Node, out: [string, OEntry][]) {
    const mtime = Date.now();
    if (node.kind === "dir") {
      out.push([to, { kind: "dir", mtime }]);
      for (const [name, child] of await this.list(from))
        await this.copyOut(`${from}/${name}`, `${to}/${name}`, child, out);
    } else if (node.kind === "file") {
      out.push([
        to,
        { kind: "file", mode: node.mode, blob: node.blob, local: node.local, size: node.size, mtime },
      ]);
    } else if (node.kind === "symlink") {
      const target = node.target ?? (await this.read(node, 0, node.size)).toString("utf8");
      out.push([to, { kind: "symlink", target, mtime }]);
    }
    // Submodules cannot be moved in a mount (there is nothing to write for them).
  }

  /** Whether any overlay entry lies at or beneath `path`. */
  touched(path: string) {
    for (const p of this.entries.keys()) if (p === path || under(p, path)) return true;
    return false;
  }

  /** The overlay as changes against the base: files to write and paths to delete. */
  changes(): Promise<Change[]> {
    return overlayChanges(this);
  }

  /** The bytes a change writes. */
  async contentOf(c: Exclude<Change, { delete: true }>): Promise<Buffer> {
    if (c.target !== undefined) return Buffer.from(c.target);
    if (c.local) return readFile(join(this.dir, "data", c.local));
    return c.blob ? this.base.blob(c.blob) : Buffer.alloc(0);
  }

  /** Forgets every change (after a landing), or rebases them on a new base (sync). */
  async reset(base?: Base) {
    if (base) (this as { base: Base }).base = base;
    else {
      this.entries.clear();
      await rm(join(this.dir, "data"), { recursive: true, force: true });
      mkdirSync(join(this.dir, "data"), { recursive: true });
    }
    this.save();
  }
}
