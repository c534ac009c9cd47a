// NFS v3 attributes (fattr3, RFC 1813 §2.6) from git modes: 100644 → a 0644 file, 100755 →
// 0755, 120000 → a symlink, trees and submodules → 0755 directories; owned by the user running
// mic. Times are the overlay's for changed files, else the mount's base time.
import { fileId } from "./handles.ts";
import type { Node } from "./overlay.ts";
import type { XdrWriter } from "./xdr.ts";

export const NF3REG = 1;
export const NF3DIR = 2;
export const NF3LNK = 5;

export interface AttrContext {
  uid: number;
  gid: number;
  /** Seconds since the epoch for unchanged files. */
  baseTime: number;
}

export function typeAndMode(node: Node): [number, number] {
  if (node.kind === "dir" || node.kind === "submodule") return [NF3DIR, 0o755];
  if (node.kind === "symlink") return [NF3LNK, 0o777];
  return [NF3REG, node.mode === "100755" ? 0o755 : 0o644];
}

const sizeOf = (node: Node) => (node.kind === "file" || node.kind === "symlink" ? node.size : 4096);

export function writeTime(w: XdrWriter, ms: number) {
  w.uint(Math.floor(ms / 1000)).uint((ms % 1000) * 1_000_000);
}

export function writeFattr(w: XdrWriter, node: Node, handle: Buffer, ctx: AttrContext) {
  const [type, mode] = typeAndMode(node);
  const size = sizeOf(node);
  const ms = ("mtime" in node && node.mtime) || ctx.baseTime * 1000;
  w.uint(type)
    .uint(mode)
    .uint(type === NF3DIR ? 2 : 1)
    .uint(ctx.uid)
    .uint(ctx.gid);
  w.hyper(size).hyper(size);
  w.uint(0).uint(0); // rdev
  w.hyper(0x6d6963); // fsid
  w.hyper(fileId(handle));
  writeTime(w, ms);
  writeTime(w, ms);
  writeTime(w, ms);
}

/** post_op_attr: the attributes when known. */
export function writePostOp(w: XdrWriter, node: Node | undefined, handle: Buffer, ctx: AttrContext) {
  w.bool(!!node);
  if (node) writeFattr(w, node, handle, ctx);
}
