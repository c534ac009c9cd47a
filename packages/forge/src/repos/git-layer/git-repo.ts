// One repository behind the git layer: objects are read through a long-lived
// `git cat-file --batch`, blobs, trees and commits are written in process as loose objects
// (zlib + SHA-1, written to a temporary file and renamed, as git does) or, several at once,
// as one pack (pack-write.ts), and refs move by
// compare-and-swap through a long-lived `git update-ref --stdin` (start/prepare/commit).
// Measured against a process per operation and against libraries in docs/adr/0022-git-layer.md.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflate, deflateSync } from "node:zlib";
import { GitError } from "../git.ts";
import { GitProcess } from "./git-process.ts";
import {
  EMPTY_TREE,
  type GitObject,
  type ObjectType,
  objectId,
  parseBatchAnswer,
  parseCommit,
  parseTree,
  type TreeEntry,
} from "./objects.ts";
import { buildPack, type PackEntry, writePackFiles } from "./pack-write.ts";
import { invalidateRefs } from "./ref-cache.ts";
import { peekObject, rememberObject } from "./repo-reads.ts";

export const ZERO_OID = "0".repeat(40);
const FULL_ID = /^[0-9a-f]{40}$/;
/** Temporary object files: a random prefix per process (processes may share the volume), then a count. */
const TMP_PREFIX = randomBytes(6).toString("hex");
let tmpSeq = 0;

const deflateAsync = promisify(deflate);
const DEFLATE_INLINE_MAX = 64 * 1024;

export interface GitRepoOptions {
  /** A call unanswered this long kills its process and fails (default 30 s). */
  timeoutMs?: number;
  /** Processes idle this long are closed (default 60 s). */
  idleMs?: number;
}

export interface RefUpdate {
  ref: string;
  next: string;
  /** The value the ref must have now; ZERO_OID: it must not exist. */
  expected: string;
}

const safeName = (name: string) => {
  if (!name || /[\0\n\r]/.test(name))
    throw new GitError(`bad object name: ${JSON.stringify(name)}`, null, "");
  return name;
};

export class GitRepo {
  private readonly reader: GitProcess;
  /** `cat-file --batch-check`, started on the first info() call (sizes without contents). */
  private checker?: GitProcess;
  private readonly refWriters = new Map<string, GitProcess>();
  /** Object fan-out directories known to exist (objects/xx), so that a write skips mkdir. */
  private readonly fanout = new Set<string>();
  /** writeMany() calls waiting for the batch being written (drain()). */
  private waiting: Array<{
    objects: Array<{ type: ObjectType; data: Buffer }>;
    resolve: (ids: string[]) => void;
    reject: (err: unknown) => void;
  }> = [];
  private draining = false;
  private readonly opts: Required<GitRepoOptions>;

  constructor(
    readonly dir: string,
    opts: GitRepoOptions = {},
  ) {
    this.opts = { timeoutMs: opts.timeoutMs ?? 30_000, idleMs: opts.idleMs ?? 60_000 };
    this.reader = new GitProcess({ cwd: dir, args: ["cat-file", "--batch"], ...this.opts });
  }

  /**
   * The object `name` names (an id, a ref, `rev^{tree}`…), or null when there is none. Objects
   * never change: one named by its full id is answered from memory once read or written here.
   */
  async read(name: string): Promise<GitObject | null> {
    const full = FULL_ID.test(name);
    if (full) {
      const hit = peekObject(this, name);
      if (hit) return hit;
    }
    const obj = await this.reader.call(`${safeName(name)}\n`, parseBatchAnswer);
    if (obj && full) rememberObject(this, obj);
    return obj;
  }

  /** The type and size of the object `name` names, without its content; null when none. */
  async info(name: string): Promise<{ oid: string; type: ObjectType; size: number } | null> {
    this.checker ??= new GitProcess({ cwd: this.dir, args: ["cat-file", "--batch-check"], ...this.opts });
    return this.checker.call(`${safeName(name)}\n`, parseCheckAnswer);
  }

  /** The object an annotated tag finally names (`<oid>^{}`), or null when `oid` is not a readable tag. */
  async peelTag(oid: string): Promise<string | null> {
    if ((await this.info(oid))?.type !== "tag") return null;
    return (await this.info(`${oid}^{}`))?.oid ?? null;
  }

  async readType(name: string, type: ObjectType): Promise<GitObject> {
    const obj = await this.read(name);
    if (!obj || obj.type !== type) throw new GitError(`not a ${type}: ${name}`, null, "");
    return obj;
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    return oid === EMPTY_TREE ? [] : parseTree((await this.readType(oid, "tree")).data);
  }

  /** The commit a ref or revision resolves to, or null. */
  async resolveCommit(name: string): Promise<string | null> {
    const obj = await this.read(`${name}^{commit}`);
    return obj?.type === "commit" ? obj.oid : null;
  }

  async readCommit(oid: string) {
    return parseCommit((await this.readType(oid, "commit")).data);
  }

  /** Writes an object (loose, as git does for single objects) and returns its id. */
  async write(type: ObjectType, data: Buffer): Promise<string> {
    const oid = objectId(type, data);
    const dir = join(this.dir, "objects", oid.slice(0, 2));
    const path = join(dir, oid.slice(2));
    if (existsSync(path)) {
      rememberObject(this, { oid, type, data });
      return oid;
    }
    const raw = Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data]);
    // Small objects compress faster inline than a trip to the thread pool; big ones go there
    // so that one large upload does not hold the event loop.
    const packed =
      raw.length > DEFLATE_INLINE_MAX
        ? await deflateAsync(raw, { level: 1 })
        : deflateSync(raw, { level: 1 });
    const tmp = join(dir, `tmp_obj_${TMP_PREFIX}${(++tmpSeq).toString(36)}`);
    // The fan-out directory is made once per repository; git's upkeep (repack -d,
    // prune-packed) may remove it when it empties, at any moment between our steps, so an
    // ENOENT makes the directory again and retries, as git itself does.
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.fanout.has(dir)) await mkdir(dir, { recursive: true });
        await writeFile(tmp, packed, { mode: 0o444 });
        await rename(tmp, path);
        this.fanout.add(dir);
        break;
      } catch (err) {
        this.fanout.delete(dir);
        await rm(tmp, { force: true });
        if ((err as NodeJS.ErrnoException)?.code !== "ENOENT" || attempt >= 5) throw err;
      }
    }
    rememberObject(this, { oid, type, data });
    return oid;
  }

  /**
   * Writes several objects at once and returns their ids in order. Concurrent calls are
   * gathered: while one batch is being written the next ones wait and are then written
   * together, as one pack and its index when they hold two or more objects (two new files
   * instead of one per object). The objects are on disk when this returns, so a ref may point
   * at them at once.
   */
  writeMany(objects: Array<{ type: ObjectType; data: Buffer }>): Promise<string[]> {
    if (objects.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ objects, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain() {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        try {
          const ids = await this.writeNow(batch.flatMap((b) => b.objects));
          let at = 0;
          for (const b of batch) {
            b.resolve(ids.slice(at, at + b.objects.length));
            at += b.objects.length;
          }
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeNow(objects: Array<{ type: ObjectType; data: Buffer }>): Promise<string[]> {
    if (objects.length === 1) return [await this.write(objects[0].type, objects[0].data)];
    const entries: PackEntry[] = [];
    for (const o of objects) {
      const deflated =
        o.data.length > DEFLATE_INLINE_MAX
          ? await deflateAsync(o.data, { level: 1 })
          : deflateSync(o.data, { level: 1 });
      entries.push({ oid: objectId(o.type, o.data), type: o.type, deflated, size: o.data.length });
    }
    await writePackFiles(this.dir, buildPack(entries), `tmp_pack_${TMP_PREFIX}${(++tmpSeq).toString(36)}`);
    for (const [i, o] of objects.entries())
      rememberObject(this, { oid: entries[i].oid, type: o.type, data: o.data });
    return entries.map((e) => e.oid);
  }

  /**
   * Applies every update or none (a `git update-ref --stdin` transaction); false when a ref
   * is not at its expected value (someone else moved it) or the transaction failed.
   */
  async updateRefs(updates: RefUpdate[], message: string): Promise<boolean> {
    if (updates.length === 0) return true;
    let writer = this.refWriters.get(message);
    if (!writer) {
      writer = new GitProcess({
        cwd: this.dir,
        args: ["update-ref", "-m", safeName(message), "--stdin"],
        ...this.opts,
      });
      this.refWriters.set(message, writer);
    }
    const lines = updates.map((u) => `update ${safeName(u.ref)} ${u.next} ${u.expected}\n`);
    try {
      await writer.call(`start\n${lines.join("")}prepare\ncommit\n`, parseTransactionAnswer);
      return true;
    } catch (err) {
      if (err instanceof GitError) return false;
      throw err;
    } finally {
      invalidateRefs(this.dir); // moved, or lost to whoever moved it
    }
  }

  /** How many git processes this repository started (for benchmarks and tests). */
  get processStarts() {
    let n = this.reader.starts + (this.checker?.starts ?? 0);
    for (const w of this.refWriters.values()) n += w.starts;
    return n;
  }

  close() {
    this.reader.close();
    this.checker?.close();
    for (const w of this.refWriters.values()) w.close();
  }
}

/** Reads one `cat-file --batch-check` answer: "<oid> <type> <size>" or "<name> missing". */
export function parseCheckAnswer(
  buf: Buffer,
): { value: { oid: string; type: ObjectType; size: number } | null; consumed: number } | null {
  const nl = buf.indexOf(10);
  if (nl < 0) return null;
  const header = buf.toString("utf8", 0, nl);
  if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return { value: null, consumed: nl + 1 };
  const m = /^([0-9a-f]{40}) (blob|tree|commit|tag) (\d+)$/.exec(header);
  if (!m) throw new Error(`unexpected cat-file header: ${header.slice(0, 100)}`);
  return { value: { oid: m[1]!, type: m[2] as ObjectType, size: Number(m[3]) }, consumed: nl + 1 };
}

/** Reads "start: ok", "prepare: ok", "commit: ok" (any other line is a failure). */
export function parseTransactionAnswer(buf: Buffer): { value: true; consumed: number } | null {
  let at = 0;
  for (const want of ["start: ok", "prepare: ok", "commit: ok"]) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) return null;
    const line = buf.toString("utf8", at, nl);
    if (line !== want) throw new Error(`unexpected update-ref answer: ${line.slice(0, 100)}`);
    at = nl + 1;
  }
  return { value: true, consumed: at };
}
