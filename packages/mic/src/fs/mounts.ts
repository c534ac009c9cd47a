// The mounts this user's mic serves, from their records ($MIC_CACHE_DIR/mounts/*/mount.json):
// the one holding a directory (so `mic land` and friends in a mounted directory reach its
// server), and whether its server still runs (a record whose process is gone is stale).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type MountRecord, mountsDir } from "./server.ts";

export const alive = (pid: number) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

export function mountRecords(): (MountRecord & { file: string })[] {
  const dir = mountsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((key) => {
    const file = join(dir, key, "mount.json");
    try {
      return [{ ...(JSON.parse(readFileSync(file, "utf8")) as MountRecord), file }];
    } catch {
      return [];
    }
  });
}

/** The running mount whose directory holds `cwd`, if any. */
export function mountAt(cwd = process.cwd()) {
  const here = resolve(cwd);
  return mountRecords().find(
    (r) => r.path && alive(r.pid) && (here === r.path || here.startsWith(`${r.path}/`)),
  );
}
