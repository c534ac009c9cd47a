// Many new objects as one pack file and its index (pack v2 of whole objects, index v2), the
// format `git index-pack` writes: an epoch's trees and commits, or a PUT's blobs, trees and
// commit, land on disk as two files instead of a loose file each (every new file is an inode
// to allocate, which profiles of the landing benchmark showed costing more than the rest of
// the write: docs/benchmarks.md, "Objects written as packs").
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectType } from "./objects.ts";

const TYPE_CODE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
/** Offsets past this need the index's large-offset table; such packs are not built here. */
const MAX_OFFSET = 0x7fff_ffff;

export interface PackEntry {
  oid: string;
  type: ObjectType;
  /** The object's zlib-deflated bytes (its content only, without git's loose header). */
  deflated: Buffer;
  /** The size of the object's content before deflation. */
  size: number;
}

export interface BuiltPack {
  pack: Buffer;
  idx: Buffer;
  /** The pack's trailing SHA-1 in hex, which names both files (pack-<hex>.pack/.idx). */
  name: string;
}

/** A pack entry's header: type and size, 4 bits then 7 bits a byte, the high bit "more". */
export function entryHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let c = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(c | 0x80);
    c = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(c);
  return Buffer.from(bytes);
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (zlib's), which the index keeps for every entry's packed bytes. */
export function crc32(...parts: Buffer[]): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const part of parts) for (const byte of part) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Builds the pack and its index; entries with the same id are written once. */
export function buildPack(entries: PackEntry[]): BuiltPack {
  const unique = [...new Map(entries.map((e) => [e.oid, e])).values()];
  const head = Buffer.alloc(12);
  head.write("PACK", 0, "latin1");
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(unique.length, 8);
  const parts: Buffer[] = [head];
  const placed: Array<{ oid: string; offset: number; crc: number }> = [];
  let offset = head.length;
  for (const e of unique) {
    if (offset > MAX_OFFSET) throw new Error("pack too large for a 32-bit index");
    const h = entryHeader(e.type, e.size);
    placed.push({ oid: e.oid, offset, crc: crc32(h, e.deflated) });
    parts.push(h, e.deflated);
    offset += h.length + e.deflated.length;
  }
  const hash = createHash("sha1");
  for (const p of parts) hash.update(p);
  const trailer = hash.digest();
  parts.push(trailer);
  return { pack: Buffer.concat(parts), idx: buildIndex(placed, trailer), name: trailer.toString("hex") };
}

function buildIndex(placed: Array<{ oid: string; offset: number; crc: number }>, packHash: Buffer): Buffer {
  const sorted = [...placed].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const idx = Buffer.alloc(8 + 256 * 4 + n * (20 + 4 + 4) + 20 + 20);
  idx.writeUInt32BE(0xff744f63, 0); // "\377tOc"
  idx.writeUInt32BE(2, 4);
  const counts = new Uint32Array(256);
  for (const o of sorted) counts[Number.parseInt(o.oid.slice(0, 2), 16)]++;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += counts[i];
    idx.writeUInt32BE(running, 8 + i * 4);
  }
  const ids = 8 + 256 * 4;
  const crcs = ids + n * 20;
  const offsets = crcs + n * 4;
  sorted.forEach((o, i) => {
    idx.write(o.oid, ids + i * 20, "hex");
    idx.writeUInt32BE(o.crc, crcs + i * 4);
    idx.writeUInt32BE(o.offset, offsets + i * 4);
  });
  const tail = offsets + n * 4;
  packHash.copy(idx, tail);
  createHash("sha1")
    .update(idx.subarray(0, tail + 20))
    .digest()
    .copy(idx, tail + 20);
  return idx;
}

/**
 * Puts a built pack into the repository at `dir` under temporary names (`tmpName`), then
 * renames the pack and then its index, as git does: readers see the pack once its index exists.
 */
export async function writePackFiles(dir: string, built: BuiltPack, tmpName: string) {
  const packDir = join(dir, "objects", "pack");
  const final = join(packDir, `pack-${built.name}`);
  if (existsSync(`${final}.idx`)) return; // the same objects in the same order: already there
  const tmp = join(packDir, tmpName);
  try {
    await mkdir(packDir, { recursive: true });
    await writeFile(`${tmp}.pack`, built.pack, { mode: 0o444 });
    await writeFile(`${tmp}.idx`, built.idx, { mode: 0o444 });
    await rename(`${tmp}.pack`, `${final}.pack`);
    await rename(`${tmp}.idx`, `${final}.idx`);
  } finally {
    await Promise.all([rm(`${tmp}.pack`, { force: true }), rm(`${tmp}.idx`, { force: true })]);
  }
  notePack(dir);
}

/** Each time this process has written this many more packs into a repository, listeners hear. */
export const PACKS_PER_NOTICE = 32;
const packCounts = new Map<string, number>();
const packListeners = new Set<(dir: string) => void>();

/** `fn(dir)` runs whenever PACKS_PER_NOTICE more packs piled up in `dir`; returns the unsubscribe. */
export function onPacksPiled(fn: (dir: string) => void): () => void {
  packListeners.add(fn);
  return () => packListeners.delete(fn);
}

function notePack(dir: string) {
  const n = (packCounts.get(dir) ?? 0) + 1;
  if (n < PACKS_PER_NOTICE) {
    packCounts.set(dir, n);
    return;
  }
  packCounts.delete(dir);
  for (const fn of packListeners) fn(dir);
}
