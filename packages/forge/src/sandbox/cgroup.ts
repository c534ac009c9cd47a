// Per-step control groups: memory, process-count and CPU limits the kernel enforces, usage
// read back after the step, and a kill of every process in the group. Works with cgroup v2
// (one unified tree) and v1 (one tree per controller, as in many containers).
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
  cpus: number;
}

export interface CgroupUsage {
  cpuMs: number | null;
  peakMemoryBytes: number | null;
  oomKilled: boolean;
  pidsLimitHit: boolean;
}

export interface RunCgroup {
  /** Moves a process (and the children it forks afterwards) into the group. */
  add(pid: number): Promise<void>;
  usage(): Promise<CgroupUsage>;
  /** SIGKILLs every process in the group until none is left. */
  killAll(): Promise<void>;
  /** Kills what is left and removes the group's directories. */
  remove(): Promise<void>;
}

export interface CgroupHost {
  version: 1 | 2;
  create(name: string, limits: CgroupLimits): Promise<RunCgroup>;
  /** Kills and removes groups whose name starts with `prefix` and a process id that is gone. */
  sweep(prefix: string): Promise<number>;
}

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function sweepIn(parents: string[], prefix: string): Promise<number> {
  // A v1 group is one directory per hierarchy; it counts once.
  const removed = new Set<string>();
  for (const parent of new Set(parents)) {
    for (const name of await readdir(parent).catch(() => [] as string[])) {
      const pid = Number(name.slice(prefix.length).match(/^(\d+)-/)?.[1]);
      if (!name.startsWith(prefix) || !pid || !pidGone(pid)) continue;
      await killLoop([join(parent, name)]).catch(() => {});
      await removeDirs([join(parent, name)]).catch(() => {});
      removed.add(name);
    }
  }
  return removed.size;
}

const read = (p: string) => readFile(p, "utf8").then((s) => s.trim());
const readOr = (p: string) => read(p).catch(() => null);
const num = (s: string | null) => (s === null || !/^\d+$/.test(s) ? null : Number(s));
const field = (text: string | null, key: string) => {
  const m = text?.match(new RegExp(`^${key} (\\d+)$`, "m"));
  return m ? Number(m[1]) : 0;
};

async function pidsIn(dirs: string[]): Promise<number[]> {
  const all = new Set<number>();
  for (const d of dirs) {
    const text = await readOr(join(d, "cgroup.procs"));
    for (const line of text?.split("\n") ?? []) if (/^\d+$/.test(line)) all.add(Number(line));
  }
  return [...all];
}

async function killLoop(dirs: string[], kill?: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const pids = await pidsIn(dirs);
    if (pids.length === 0) return;
    if (kill) await kill().catch(() => {});
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    await sleep(i < 10 ? 5 : 25);
  }
  throw new Error(`processes survived SIGKILL in ${dirs.join(", ")}`);
}

async function removeDirs(dirs: string[]): Promise<void> {
  for (const d of dirs) {
    for (let i = 0; ; i++) {
      try {
        await rmdir(d);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") break;
        // EBUSY while the kernel still reaps the last processes.
        if (i >= 100) throw e;
        await sleep(20);
      }
    }
  }
}

/** cgroup v2: one directory under a parent whose subtree has memory, pids and cpu enabled. */
function v2Host(parent: string): CgroupHost {
  return {
    version: 2,
    sweep: (prefix) => sweepIn([parent], prefix),
    async create(name, limits) {
      const dir = join(parent, name);
      await mkdir(dir);
      const run: RunCgroup = {
        add: (pid) => writeFile(join(dir, "cgroup.procs"), String(pid)),
        async usage() {
          const cpu = await readOr(join(dir, "cpu.stat"));
          return {
            cpuMs: cpu ? field(cpu, "usage_usec") / 1000 : null,
            peakMemoryBytes: num(await readOr(join(dir, "memory.peak"))),
            oomKilled: field(await readOr(join(dir, "memory.events")), "oom_kill") > 0,
            pidsLimitHit: field(await readOr(join(dir, "pids.events")), "max") > 0,
          };
        },
        killAll: () => killLoop([dir], () => writeFile(join(dir, "cgroup.kill"), "1")),
        async remove() {
          await killLoop([dir], () => writeFile(join(dir, "cgroup.kill"), "1")).catch(() => {});
          await removeDirs([dir]);
        },
      };
      try {
        await writeFile(join(dir, "memory.max"), String(limits.memoryBytes));
        await writeFile(join(dir, "memory.swap.max"), "0").catch(() => {});
        await writeFile(join(dir, "pids.max"), String(limits.pids));
        await writeFile(join(dir, "cpu.max"), `${Math.max(1000, Math.round(limits.cpus * 100_000))} 100000`);
      } catch (e) {
        await run.remove().catch(() => {});
        throw e;
      }
      return run;
    },
  };
}

/** cgroup v1: a directory in each of the memory, pids, cpu and cpuacct hierarchies. */
function v1Host(bases: Record<"memory" | "pids" | "cpu" | "cpuacct", string>): CgroupHost {
  return {
    version: 1,
    sweep: (prefix) => sweepIn(Object.values(bases), prefix),
    async create(name, limits) {
      const d = {
        memory: join(bases.memory, name),
        pids: join(bases.pids, name),
        cpu: join(bases.cpu, name),
        cpuacct: join(bases.cpuacct, name),
      };
      // cpu and cpuacct are often mounted together: one directory then serves both.
      const dirs = [...new Set(Object.values(d))];
      const run: RunCgroup = {
        async add(pid) {
          for (const dir of dirs) await writeFile(join(dir, "cgroup.procs"), String(pid));
        },
        async usage() {
          const ns = num(await readOr(join(d.cpuacct, "cpuacct.usage")));
          return {
            cpuMs: ns === null ? null : ns / 1e6,
            peakMemoryBytes: num(await readOr(join(d.memory, "memory.max_usage_in_bytes"))),
            oomKilled: field(await readOr(join(d.memory, "memory.oom_control")), "oom_kill") > 0,
            pidsLimitHit: field(await readOr(join(d.pids, "pids.events")), "max") > 0,
          };
        },
        killAll: () => killLoop(dirs),
        async remove() {
          await killLoop(dirs).catch(() => {});
          await removeDirs(dirs);
        },
      };
      try {
        for (const dir of dirs) await mkdir(dir);
        await writeFile(join(d.memory, "memory.limit_in_bytes"), String(limits.memoryBytes));
        await writeFile(join(d.memory, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes)).catch(
          () => {},
        );
        await writeFile(join(d.pids, "pids.max"), String(limits.pids));
        await writeFile(join(d.cpu, "cpu.cfs_period_us"), "100000");
        await writeFile(
          join(d.cpu, "cpu.cfs_quota_us"),
          String(Math.max(1000, Math.round(limits.cpus * 100_000))),
        );
      } catch (e) {
        await run.remove().catch(() => {});
        throw e;
      }
      return run;
    },
  };
}

/** This process's cgroup paths, by controller ("" for v2's unified entry). */
async function ownCgroups(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of (await read("/proc/self/cgroup")).split("\n")) {
    const m = line.match(/^\d+:([^:]*):(.*)$/);
    if (!m) continue;
    const [, controllers, path] = m;
    for (const c of controllers.split(",")) out.set(c, path);
  }
  return out;
}

/** cgroup v1 mount points by controller, from /proc/self/mounts. */
async function v1Mounts(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of (await read("/proc/self/mounts")).split("\n")) {
    const [, mountPoint, type, options] = line.split(" ");
    if (type !== "cgroup") continue;
    for (const o of options.split(",")) out.set(o, mountPoint);
  }
  return out;
}

/**
 * Finds a cgroup tree this process may write and proves it by making a group with limits.
 * `v2Parent`: where v2 groups go (default: beside this process's own group).
 */
export async function detectCgroups(v2Parent?: string): Promise<CgroupHost | string> {
  const own = await ownCgroups().catch(() => new Map<string, string>());
  const probe = async (host: CgroupHost) => {
    const g = await host.create(`micelio-probe-${process.pid}-${Date.now()}`, {
      memoryBytes: 64 << 20,
      pids: 8,
      cpus: 1,
    });
    await g.remove();
    return host;
  };
  const errors: string[] = [];
  if ((await readOr("/sys/fs/cgroup/cgroup.controllers")) !== null) {
    const self = own.get("") ?? "/";
    const parent = v2Parent ?? join("/sys/fs/cgroup", self, "..");
    await writeFile(join(parent, "cgroup.subtree_control"), "+memory +pids +cpu").catch(() => {});
    try {
      return await probe(v2Host(parent));
    } catch (e) {
      errors.push(`cgroup v2 at ${parent}: ${(e as Error).message}`);
    }
  }
  const mounts = await v1Mounts().catch(() => new Map<string, string>());
  const names = ["memory", "pids", "cpu", "cpuacct"] as const;
  if (names.every((n) => mounts.has(n))) {
    const bases = Object.fromEntries(names.map((n) => [n, join(mounts.get(n) as string, own.get(n) ?? "/")]));
    try {
      return await probe(v1Host(bases as Record<(typeof names)[number], string>));
    } catch (e) {
      errors.push(`cgroup v1: ${(e as Error).message}`);
    }
  } else errors.push("no writable cgroup v2 tree and no cgroup v1 memory, pids, cpu and cpuacct hierarchies");
  return errors.join("; ");
}
