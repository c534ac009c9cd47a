// Where a repository's clone bundle lives and how it is replaced: files in
// <repo>.git/micelio-bundles/ (so they go with the repository when it is deleted), one
// `<id>.bundle` plus `current.json` naming it. Several forge processes share the data
// directory: a bundle is written under a temporary name and renamed into place, then the
// pointer likewise, and only then is the previous bundle removed. A reader opens the file the
// pointer names; a download already under way keeps its open file even if it is removed.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "../git.ts";

export const BUNDLE_ID = /^[0-9a-z]{6,12}-[0-9a-f]{16}$/;

export interface BundleInfo {
  /** `<creation time, base 36>-<hash of the bundled refs>`: names the file and its URL. */
  id: string;
  /** The commit the default branch pointed at, and a hash of every bundled ref. */
  head: string;
  refsHash: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  size: number;
}

export const bundleDir = (repoDir: string) => join(repoDir, "micelio-bundles");
export const bundlePath = (repoDir: string, id: string) => join(bundleDir(repoDir), `${id}.bundle`);
const pointer = (repoDir: string) => join(bundleDir(repoDir), "current.json");

function parseInfo(text: string): BundleInfo | null {
  try {
    const v = JSON.parse(text) as Partial<BundleInfo>;
    if (typeof v.id !== "string" || !BUNDLE_ID.test(v.id)) return null;
    if (typeof v.head !== "string" || typeof v.refsHash !== "string") return null;
    if (typeof v.createdAt !== "number" || typeof v.size !== "number") return null;
    return v as BundleInfo;
  } catch {
    return null;
  }
}

/** The repository's bundle, if it has one whose file is there. */
export async function currentBundle(repoDir: string): Promise<BundleInfo | null> {
  const text = await readFile(pointer(repoDir), "utf8").catch(() => null);
  const info = text ? parseInfo(text) : null;
  if (!info) return null;
  const file = await stat(bundlePath(repoDir, info.id)).catch(() => null);
  return file?.isFile() ? info : null;
}

/** Writes `file` atomically: a temporary name beside it, then a rename. */
async function writeAtomic(file: string, data: string) {
  const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * Bundles `refs` (full ref names) of the repository at `repoDir` and makes it the current one;
 * `head` and `refsHash` describe them. Removes older bundles and abandoned temporary files.
 */
export async function writeBundle(
  repoDir: string,
  refs: string[],
  described: { head: string; refsHash: string },
  opts: { timeoutMs: number; now?: number },
): Promise<BundleInfo> {
  const dir = bundleDir(repoDir);
  await mkdir(dir, { recursive: true });
  const now = opts.now ?? Date.now();
  const id = `${now.toString(36)}-${described.refsHash.slice(0, 16)}`;
  const tmp = join(dir, `.tmp-${randomBytes(6).toString("hex")}.bundle`);
  try {
    await git(["bundle", "create", "--quiet", tmp, ...refs], { cwd: repoDir, timeoutMs: opts.timeoutMs });
    const { size } = await stat(tmp);
    await rename(tmp, bundlePath(repoDir, id));
    const info: BundleInfo = { id, ...described, createdAt: now, size };
    await writeAtomic(pointer(repoDir), JSON.stringify(info));
    await prune(repoDir, id, now);
    return info;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Removes bundles other than `keep` and the pointer's, and temporary files older than an hour. */
async function prune(repoDir: string, keep: string, now: number) {
  const dir = bundleDir(repoDir);
  const current = (await currentBundle(repoDir))?.id;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name.endsWith(".bundle") && !name.startsWith(".")) {
      const id = name.slice(0, -".bundle".length);
      if (id !== keep && id !== current) await rm(path, { force: true });
    } else if (name.includes(".tmp-")) {
      const s = await stat(path).catch(() => null);
      if (s && now - s.mtimeMs > 3600_000) await rm(path, { recursive: true, force: true });
    }
  }
}
