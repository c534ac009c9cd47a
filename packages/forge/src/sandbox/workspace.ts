// The host side of a run's ephemeral disk: a private directory (a size-capped tmpfs when
// this process may mount one) holding the fresh copy of the source tree, removed at teardown.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface Workspace {
  /** The run's private directory; nothing in it but `work` is visible inside the sandbox. */
  root: string;
  /** The work directory: the copy of the source, bound read-write at /workspace. */
  work: string;
  /** Files the sandbox sees read-only as /etc/passwd and /etc/group. */
  passwd: string;
  group: string;
  disk: "tmpfs" | "dir";
  /** Unmounts and removes everything; safe to call twice. */
  remove(): Promise<void>;
}

export const SANDBOX_UID = 1000;

/** Whether mounting a tmpfs works here (root, or CAP_SYS_ADMIN); checked once. */
let canMount: Promise<boolean> | undefined;
async function mountWorks(base: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const dir = await mkdtemp(join(base, "probe-"));
  try {
    await exec("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "micelio-sandbox", dir]);
    await exec("/usr/bin/umount", [dir]);
    return true;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function createWorkspace(
  base: string,
  source: string | ((workdir: string) => Promise<void>),
  diskBytes: number,
): Promise<Workspace> {
  await mkdir(base, { recursive: true, mode: 0o700 });
  canMount ??= mountWorks(base);
  const root = await mkdtemp(join(base, `run-${process.pid}-`));
  let mounted = false;
  let removed = false;
  const ws: Workspace = {
    root,
    work: join(root, "work"),
    passwd: join(root, "passwd"),
    group: join(root, "group"),
    disk: "dir",
    async remove() {
      if (removed) return;
      removed = true;
      if (mounted) await exec("/usr/bin/umount", ["--lazy", root]).catch(() => {});
      await rm(root, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  try {
    if (await canMount) {
      const size = `size=${Math.max(1 << 20, Math.floor(diskBytes))}`;
      await exec("/usr/bin/mount", [
        "-t",
        "tmpfs",
        "-o",
        `${size},mode=0700,nosuid,nodev`,
        "micelio-sandbox",
        root,
      ]);
      mounted = true;
      ws.disk = "tmpfs";
    }
    await mkdir(ws.work);
    await writeFile(
      ws.passwd,
      `root:x:0:0:root:/root:/bin/sh\nsandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    );
    await writeFile(ws.group, `root:x:0:\nsandbox:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`);
    if (typeof source === "string") {
      // Symbolic links are copied as links: they resolve inside the sandbox, never on the host.
      await cp(source, ws.work, { recursive: true, verbatimSymlinks: true, force: true });
    } else await source(ws.work);
    return ws;
  } catch (e) {
    await ws.remove().catch(() => {});
    throw e;
  }
}

/** Removes run directories left by processes that are gone (a crash mid-run). */
export async function sweepStaleWorkspaces(base: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const pid = Number(name.match(/^run-(\d+)-/)?.[1]);
    if (!pid || pidAlive(pid)) continue;
    await exec("/usr/bin/umount", ["--lazy", join(base, name)]).catch(() => {});
    await rm(join(base, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
