// Reads by object id, from memory after the first time: objects never change, so trees,
// commits, tags and blobs up to MAX_CACHED_BLOB, read or written through GitRepo, are kept in
// one byte-capped LRU
// (MICELIO_OBJECT_CACHE_BYTES, 64 MiB by default), keyed by repository and id — never by id
// alone, so one repository's cache cannot answer for an object another one does not have.
// Tree listings come with their blobs' sizes (asked with `cat-file --batch-check`).
import { ByteLru, sizeOf } from "./byte-lru.ts";
import type { GitRepo } from "./git-repo.ts";
import { EMPTY_TREE, type GitObject, isTreeMode, parseTree, type TreeEntry } from "./objects.ts";
import { repoKey } from "./ref-cache.ts";

const cache = new ByteLru<unknown>(Number(process.env.MICELIO_OBJECT_CACHE_BYTES ?? 64 * 1024 * 1024));
/** Larger blobs are read each time (they would crowd out everything else). */
export const MAX_CACHED_BLOB = 2 * 1024 * 1024;
const FULL_ID = /^[0-9a-f]{40}$/;

const keyOf = (repo: Pick<GitRepo, "dir">, what: string) => `${repoKey(repo.dir)}\0${what}`;

/**
 * The object `oid` names, or null when the repository has none. GitRepo.read keeps what it
 * reads or writes by full id in this module's cache (rememberObject), so a full id is read
 * from git once.
 */
export const readObject = (repo: GitRepo, oid: string): Promise<GitObject | null> => repo.read(oid);

/** The object with id `oid` if it is in memory (never asks git). */
export const peekObject = (repo: Pick<GitRepo, "dir">, oid: string) =>
  FULL_ID.test(oid) ? (cache.get(keyOf(repo, oid)) as GitObject | undefined) : undefined;

/** What an entry costs beyond its data: its key, the entry and object, the Buffer's JS object. */
const ENTRY_OVERHEAD = 400;

/**
 * Keeps an object that was read from or written to the repository (large blobs are not kept).
 * A Buffer that is a view on a larger allocation (Node's 8 KiB pool holds every small Buffer;
 * a chunk read from git) would keep all of it alive while the cache counted only its own
 * bytes, so such data is kept as a copy of its own.
 */
export function rememberObject(repo: Pick<GitRepo, "dir">, obj: GitObject) {
  if (obj.type === "blob" && obj.data.length > MAX_CACHED_BLOB) return;
  const key = keyOf(repo, obj.oid);
  if (cache.get(key)) return; // already kept (now the most recently used)
  const own = obj.data.byteLength === obj.data.buffer.byteLength;
  const kept = own ? obj : { ...obj, data: ownCopy(obj.data) };
  cache.set(key, kept, sizeOf(kept.data) + key.length * 2 + ENTRY_OVERHEAD);
}

function ownCopy(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}

export interface ListedEntry extends TreeEntry {
  type: "tree" | "blob" | "commit";
  /** Blob size in bytes; null for trees and submodules. */
  size: number | null;
}

/** A tree's entries in git's order, each with its type and (for blobs) size; cached. */
export async function listTreeObject(repo: GitRepo, tree: string): Promise<ListedEntry[] | null> {
  const key = keyOf(repo, `ls:${tree}`);
  const hit = cache.get(key) as ListedEntry[] | undefined;
  if (hit) return hit;
  let entries: TreeEntry[];
  if (tree === EMPTY_TREE) entries = [];
  else {
    const obj = await readObject(repo, tree);
    if (obj?.type !== "tree") return null;
    entries = parseTree(obj.data);
  }
  const listed = await Promise.all(
    entries.map(async (e): Promise<ListedEntry> => {
      if (isTreeMode(e.mode)) return { ...e, mode: "040000", type: "tree", size: null };
      if (e.mode === "160000") return { ...e, type: "commit", size: null };
      const info = await repo.info(e.oid);
      return { ...e, type: "blob", size: info?.size ?? null };
    }),
  );
  cache.set(key, listed, 200 + listed.length * 200);
  return listed;
}

/** A value derived from immutable objects (a commit's diff, a blame), cached like them. */
export async function cachedByContent<T>(
  repo: GitRepo,
  key: string,
  compute: () => Promise<T>,
  size: (v: T) => number,
): Promise<T> {
  const k = keyOf(repo, `v:${key}`);
  if (cache.has(k)) return cache.get(k) as T;
  const v = await compute();
  cache.set(k, v, size(v));
  return v;
}

/** Forgets a repository's objects (it was deleted). */
export function dropRepoObjects(dir: string) {
  cache.deletePrefix(`${repoKey(dir)}\0`);
}

/** The cache's current size (tests, benchmarks). */
export const objectCacheBytes = () => cache.bytes;

/** The cache's cap and, for each object kept, the bytes its data keeps alive (tests). */
export const objectCacheStats = () => ({
  maxBytes: cache.maxBytes,
  bytes: cache.bytes,
  entries: cache.size,
});

/** The data kept for `oid`, if any (tests: what it keeps alive). */
export const keptObjectData = (repo: Pick<GitRepo, "dir">, oid: string) =>
  (cache.get(keyOf(repo, oid)) as GitObject | undefined)?.data;
