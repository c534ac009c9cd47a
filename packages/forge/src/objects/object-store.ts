// The object store: artifacts the forge makes and keeps (OG images, daily themes, bundles),
// addressed by a key such as "og/project/<hash>.png". On one machine it is a directory
// (data/objects); writes go to a temporary file renamed into place, so a reader never sees
// half an object and two writers of the same key both leave a whole one.
import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";

export interface ObjectStore {
  /** The object's bytes, or null when there is none under the key. */
  get(key: string): Promise<Buffer | null>;
  put(key: string, body: Buffer | string): Promise<void>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** The objects whose keys start with `prefix` (a key's first segments and "/"), any order. */
  list(prefix: string): AsyncIterable<StoredObject>;
}

export interface StoredObject {
  key: string;
  /** When it was last written. */
  modified: Date;
}

/** A prefix to list under: whole segments ending in "/" ("og/", "og/project/"). */
export function checkObjectPrefix(prefix: string): string {
  if (!prefix.endsWith("/")) throw new Error(`invalid object prefix: ${JSON.stringify(prefix)}`);
  checkObjectKey(prefix.slice(0, -1));
  return prefix;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Keys are "/"-separated segments of letters, digits, ".", "_" and "-"; never "..", never absolute. */
export function checkObjectKey(key: string): string {
  const parts = key.split("/");
  if (key.length > 512 || parts.some((p) => !SEGMENT.test(p) || p.includes(".."))) {
    throw new Error(`invalid object key: ${JSON.stringify(key)}`);
  }
  return key;
}

export function localObjectStore(root: string): ObjectStore {
  const file = (key: string) => join(root, ...checkObjectKey(key).split("/"));
  const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT";
  return {
    async get(key) {
      try {
        return await readFile(file(key));
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async put(key, body) {
      const path = file(key);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(tmp, body);
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async has(key) {
      try {
        return (await stat(file(key))).isFile();
      } catch (e) {
        if (missing(e)) return false;
        throw e;
      }
    },
    async delete(key) {
      await rm(file(key), { force: true });
    },
    async *list(prefix) {
      yield* walk(root, join(root, ...checkObjectPrefix(prefix).split("/").filter(Boolean)));
    },
  };
}

/** Every whole file below `dir` (not the temporary files of writes in progress). */
async function* walk(root: string, dir: string): AsyncGenerator<StoredObject> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile() && !entry.name.endsWith(".tmp")) {
      const info = await stat(path).catch(() => null); // deleted meanwhile
      if (info) yield { key: relative(root, path).split(sep).join("/"), modified: info.mtime };
    }
  }
}
