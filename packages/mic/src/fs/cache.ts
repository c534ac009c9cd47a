// The content-addressed cache of mic-fs: blobs by object id and tree listings by tree id, in
// the user's cache directory ($MIC_CACHE_DIR, else $XDG_CACHE_HOME/micelio, else
// ~/.cache/micelio), shared by every mount of every project (an id names the same bytes
// everywhere; blobs are checked against their id before they are kept). Size-capped
// ($MIC_CACHE_BYTES, 1 GiB by default): past the cap the least recently used files go first.
// Writes are a temporary file then a rename, so concurrent mounts never see half a file.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024;

export function cacheDir(): string {
  if (process.env.MIC_CACHE_DIR) return process.env.MIC_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "micelio");
}

/** The git id of a blob with these bytes. */
export const blobId = (data: Uint8Array) =>
  createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");

/** The git id of the tree these entries (as the content API lists them) make up. */
export function treeId(entries: { name: string; mode: string; sha: string }[]) {
  const parts = entries.flatMap((e) => [
    Buffer.from(`${e.mode.replace(/^0+/, "")} ${e.name}\0`),
    Buffer.from(e.sha, "hex"),
  ]);
  const body = Buffer.concat(parts);
  return createHash("sha1").update(`tree ${body.length}\0`).update(body).digest("hex");
}

export class ContentCache {
  readonly dir: string;
  private bytes = 0;
  /** Known files: key → [size, last use], in use order (a Map keeps insertion order). */
  private readonly known = new Map<string, number>();
  hits = 0;
  misses = 0;

  constructor(
    root = cacheDir(),
    readonly maxBytes = Number(process.env.MIC_CACHE_BYTES) || DEFAULT_CACHE_BYTES,
  ) {
    this.dir = join(root, "objects");
    mkdirSync(this.dir, { recursive: true });
    this.scan();
  }

  /** What other mounts left: oldest first, so eviction starts with them. */
  private scan() {
    const found: [string, number, number][] = [];
    for (const fan of readdirSync(this.dir)) {
      if (fan.length !== 2) continue;
      for (const name of readdirSync(join(this.dir, fan))) {
        if (name.startsWith("tmp-")) continue;
        try {
          const st = statSync(join(this.dir, fan, name));
          found.push([fan + name, st.size, st.mtimeMs]);
        } catch {
          /* removed meanwhile */
        }
      }
    }
    found.sort((a, b) => a[2] - b[2]);
    for (const [key, size] of found) {
      this.known.set(key, size);
      this.bytes += size;
    }
  }

  private path(key: string) {
    return join(this.dir, key.slice(0, 2), key.slice(2));
  }

  get size() {
    return this.bytes;
  }

  has(key: string) {
    return this.known.has(key);
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (!this.known.has(key)) {
      this.misses++;
      return undefined;
    }
    try {
      const data = await readFile(this.path(key));
      const size = this.known.get(key)!;
      this.known.delete(key);
      this.known.set(key, size); // most recently used now
      const now = new Date();
      void utimes(this.path(key), now, now).catch(() => {});
      this.hits++;
      return data;
    } catch {
      this.forget(key);
      this.misses++;
      return undefined;
    }
  }

  async put(key: string, data: Uint8Array) {
    if (this.known.has(key) || data.length > this.maxBytes) return;
    const file = this.path(key);
    mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = join(this.dir, key.slice(0, 2), `tmp-${randomBytes(6).toString("hex")}`);
    await writeFile(tmp, data);
    await rename(tmp, file);
    this.known.set(key, data.length);
    this.bytes += data.length;
    await this.evict();
  }

  private forget(key: string) {
    const size = this.known.get(key);
    if (size === undefined) return;
    this.known.delete(key);
    this.bytes -= size;
  }

  private async evict() {
    for (const [key] of this.known) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(key);
      await rm(this.path(key), { force: true });
    }
  }
}
