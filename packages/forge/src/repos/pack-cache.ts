// Fast clones: git upload-pack hands pack generation to pack-cache-hook.sh, which reuses
// the pack of an identical full clone instead of building it again; repositories also get
// bitmaps after pushes (repo.maintain job) so building a pack starts fast. This module
// wires the hook into upload-pack and keeps the cache within its size budget.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const HOOK = join(import.meta.dirname, "pack-cache-hook.sh");
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const packCacheDir = (dataDir: string) => join(dataDir, "cache", "packs");

/** Extra `git -c` arguments and environment for upload-pack to use the pack cache. */
export function packCacheArgs(dataDir: string): { args: string[]; env: Record<string, string> } {
  return {
    args: ["-c", `uploadpack.packObjectsHook=bash ${shellQuote(HOOK)}`],
    env: { MICELIO_PACK_CACHE: packCacheDir(dataDir) },
  };
}

/** Deletes the least recently used cached packs until the cache fits in maxBytes. */
export function prunePackCache(dataDir: string, maxBytes: number): { removed: number; bytes: number } {
  const dir = packCacheDir(dataDir);
  let entries: { path: string; size: number; used: number }[];
  try {
    entries = readdirSync(dir).map((name) => {
      const path = join(dir, name);
      const st = statSync(path);
      return { path, size: st.size, used: st.mtimeMs };
    });
  } catch {
    return { removed: 0, bytes: 0 };
  }
  // Temporary files of writes that died are removed once they are an hour old.
  const stale = Date.now() - 3_600_000;
  let total = entries.reduce((n, e) => n + e.size, 0);
  let removed = 0;
  for (const e of entries.sort((a, b) => a.used - b.used)) {
    const temp = e.path.endsWith(".tmp");
    if (total <= maxBytes && !(temp && e.used < stale)) continue;
    if (temp && e.used >= stale) continue;
    rmSync(e.path, { force: true });
    total -= e.size;
    removed++;
  }
  return { removed, bytes: total };
}
