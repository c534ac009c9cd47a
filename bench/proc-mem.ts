// Memory of a process tree, read from /proc (Linux): the resident set (RSS) of a process
// and all its descendants, summed, and their proportional set (PSS, shared pages divided
// among the processes that map them). Used by idle-rss.ts and soak.ts to measure the
// `npm start` process tree (npm, sh, node).
import { readdirSync, readFileSync } from "node:fs";

export interface ProcMem {
  pid: number;
  command: string;
  rss_mib: number;
  pss_mib: number;
}

const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

/** The parent of every process now running. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    out.set(Number(name), ppid);
  }
  return out;
}

/** `root` and its descendants. */
export function processTree(root: number): number[] {
  const ppid = parents();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of ppid) if (parent === tree[i]) tree.push(pid);
  }
  return tree.filter((pid) => ppid.has(pid));
}

const kib = (text: string, key: string) =>
  Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
const mib = (k: number) => Number((k / 1024).toFixed(1));

export function memOf(pid: number): ProcMem {
  const status = read(`/proc/${pid}/status`);
  const cmdline = read(`/proc/${pid}/cmdline`).split("\0").filter(Boolean).join(" ");
  return {
    pid,
    command: cmdline.length > 100 ? `${cmdline.slice(0, 97)}...` : cmdline,
    rss_mib: mib(kib(status, "VmRSS")),
    pss_mib: mib(kib(read(`/proc/${pid}/smaps_rollup`), "Pss")),
  };
}

/** The tree's processes and their sums. */
export function treeMem(root: number): { rss_mib: number; pss_mib: number; processes: ProcMem[] } {
  const processes = processTree(root).map(memOf);
  const sum = (k: "rss_mib" | "pss_mib") => Number(processes.reduce((a, p) => a + p[k], 0).toFixed(1));
  return { rss_mib: sum("rss_mib"), pss_mib: sum("pss_mib"), processes };
}

export const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { min: s[0], median: Number(median.toFixed(1)), max: s[s.length - 1] };
};
