// Read cache for rendered views (highlighted files, markdown): a byte-bounded in-memory LRU in
// front of files on disk, so a second view of the same blob does no rendering work, even
// after a restart. Keys are content-addressed ("<blobSha>:<kind>"); each is hashed (SHA-256)
// into its file name, so no key can name a path outside the cache folder. Disk writes are
// atomic (temp file + rename); disk errors only cost a re-render, never a failed request.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface RenderCacheOptions {
  /** Folder for the disk tier (created on first write). */
  dir: string;
  /** Upper bound for the memory tier: UTF-8 bytes of keys plus values. */
  maxMemoryBytes: number;
}

export interface RenderCacheStats {
  memoryHits: number;
  diskHits: number;
  misses: number;
  /** Disk reads or writes that failed for a reason other than "not cached yet". */
  diskErrors: number;
}

export interface RenderCache {
  /** The cached value from memory, else disk (then kept in memory), else undefined. */
  get(key: string): Promise<string | undefined>;
  /** Stores in memory (when it fits) and on disk; resolves once the disk copy is in place. */
  set(key: string, value: string): Promise<void>;
  /**
   * The cached value, or compute()'s result, stored in both tiers. compute runs only when
   * neither tier has the key, and once for concurrent calls with the same key; when it
   * throws, nothing is cached and every waiting caller gets the error.
   */
  getOrCompute(key: string, compute: () => Promise<string>): Promise<string>;
  readonly stats: Readonly<RenderCacheStats>;
  /** Bytes currently held by the memory tier (for metrics and tests). */
  readonly memoryBytes: number;
}

/** Disk location of a key: <dir>/<2 hex>/<64 hex>. Only hex reaches the file system. */
export function cacheFilePath(dir: string, key: string): string {
  const hash = createHash("sha256").update(key, "utf8").digest("hex");
  return join(dir, hash.slice(0, 2), hash);
}

/** Byte-bounded LRU over a Map (whose iteration order is least recently used first). */
export class ByteLru {
  readonly #entries = new Map<string, { value: string; bytes: number }>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Inserts as most recently used, evicting the least recently used until it fits. */
  set(key: string, value: string): void {
    this.delete(key);
    const bytes = Buffer.byteLength(key, "utf8") + Buffer.byteLength(value, "utf8");
    if (bytes > this.maxBytes) return; // would evict everything and still not fit
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

const isNotFound = (err: unknown) => (err as NodeJS.ErrnoException)?.code === "ENOENT";

export function createRenderCache(options: RenderCacheOptions): RenderCache {
  const memory = new ByteLru(Math.max(0, options.maxMemoryBytes));
  const stats: RenderCacheStats = { memoryHits: 0, diskHits: 0, misses: 0, diskErrors: 0 };
  const inflight = new Map<string, Promise<string>>();

  async function readDisk(key: string): Promise<string | undefined> {
    try {
      return await readFile(cacheFilePath(options.dir, key), "utf8");
    } catch (err) {
      if (!isNotFound(err)) stats.diskErrors++;
      return undefined;
    }
  }

  async function writeDisk(key: string, value: string): Promise<void> {
    const file = cacheFilePath(options.dir, key);
    const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(join(file, ".."), { recursive: true });
      await writeFile(temp, value, "utf8");
      await rename(temp, file);
    } catch {
      stats.diskErrors++;
      await unlink(temp).catch(() => {});
    }
  }

  /** Memory, then disk (promoting a disk hit into memory), counting hits and misses. */
  async function lookup(key: string): Promise<string | undefined> {
    const fromMemory = memory.get(key);
    if (fromMemory !== undefined) {
      stats.memoryHits++;
      return fromMemory;
    }
    const fromDisk = await readDisk(key);
    if (fromDisk !== undefined) {
      stats.diskHits++;
      memory.set(key, fromDisk);
      return fromDisk;
    }
    stats.misses++;
    return undefined;
  }

  async function set(key: string, value: string): Promise<void> {
    memory.set(key, value);
    await writeDisk(key, value);
  }

  function getOrCompute(key: string, compute: () => Promise<string>): Promise<string> {
    const fromMemory = memory.get(key);
    if (fromMemory !== undefined) {
      stats.memoryHits++;
      return Promise.resolve(fromMemory);
    }
    const pending = inflight.get(key);
    if (pending) return pending;
    const work = (async () => {
      try {
        const cached = await lookup(key);
        if (cached !== undefined) return cached;
        const value = await compute();
        await set(key, value);
        return value;
      } finally {
        inflight.delete(key);
      }
    })();
    inflight.set(key, work);
    return work;
  }

  return {
    get: lookup,
    set,
    getOrCompute,
    stats,
    get memoryBytes() {
      return memory.bytes;
    },
  };
}
