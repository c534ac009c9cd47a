// Sandbox providers: start latency (a run of one empty step, end to end and the step alone,
// next to bare bwrap and a plain spawn) and overhead (a CPU-bound command inside vs outside),
// min / median / max. Unavailable providers are listed with the reason.
// Usage: npx tsx bench/sandbox.ts [starts=20] [cpuRuns=5]
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bwrapProvider } from "../packages/forge/src/sandbox/bwrap-provider.ts";
import { microvmProvider } from "../packages/forge/src/sandbox/microvm-provider.ts";
import type { SandboxProvider } from "../packages/forge/src/sandbox/types.ts";

const starts = Number(process.argv[2] ?? 20);
const cpuRuns = Number(process.argv[3] ?? 5);
const CPU_WORK = "let x=0;for(let i=0;i<4e8;i++)x+=i%7;";
const limits = {
  wallMs: 120_000,
  memoryBytes: 1024 * 2 ** 20,
  cpus: 2,
  pids: 256,
  diskBytes: 256 * 2 ** 20,
  outputBytes: 65536,
};

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(1)} ms`;
  return `${f(s[0])} | ${f(s[Math.floor(s.length / 2)])} | ${f(s[s.length - 1])}`;
};

const timeSpawn = (cmd: string, args: string[]) =>
  new Promise<number>((resolve, reject) => {
    const t = performance.now();
    const c = spawn(cmd, args, { stdio: "ignore" });
    c.once("error", reject);
    c.once("close", (code) =>
      code === 0 ? resolve(performance.now() - t) : reject(new Error(`${cmd} exited ${code}`)),
    );
  });

const BARE_BWRAP = [
  "--unshare-all",
  "--unshare-user",
  "--ro-bind",
  "/usr",
  "/usr",
  "--symlink",
  "usr/bin",
  "/bin",
  "--symlink",
  "usr/lib",
  "/lib",
  "--symlink",
  "usr/lib64",
  "/lib64",
  "--proc",
  "/proc",
  "--dev",
  "/dev",
  "--",
  "/bin/true",
];

async function bench(label: string, p: SandboxProvider, rows: string[]): Promise<void> {
  const a = await p.availability();
  if (!a.available) {
    rows.push(`| ${label} | unavailable: ${a.reason} | | |`);
    return;
  }
  const whole: number[] = [];
  const step: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t = performance.now();
    const r = await p.run({ source: async () => {}, steps: [{ name: "empty", run: "true" }] });
    if (!r.ok) throw new Error(`${label}: empty step failed: ${JSON.stringify(r.steps[0])}`);
    whole.push(performance.now() - t);
    step.push(r.steps[0].durationMs);
  }
  rows.push(`| ${label}: run of one empty step (workspace, cgroup, bwrap, teardown) | ${stats(whole)} |`);
  rows.push(`| ${label}: the step alone | ${stats(step)} |`);
  const inside: number[] = [];
  const outside: number[] = [];
  for (let i = 0; i < cpuRuns; i++) {
    outside.push(await timeSpawn("/usr/bin/node", ["-e", CPU_WORK]));
    const r = await p.run({ source: async () => {}, steps: [{ name: "cpu", run: `node -e '${CPU_WORK}'` }] });
    if (!r.ok) throw new Error(`${label}: cpu step failed`);
    inside.push(r.steps[0].durationMs);
  }
  rows.push(`| CPU-bound node loop outside (plain spawn) | ${stats(outside)} |`);
  rows.push(`| CPU-bound node loop inside ${label} (step duration) | ${stats(inside)} |`);
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  rows.push(
    `| ${label} overhead on the CPU-bound command (median inside / outside) | ${(med(inside) / med(outside)).toFixed(3)} | | |`,
  );
}

const dir = await mkdtemp(join(tmpdir(), "micelio-bench-sandbox-"));
try {
  const rows = ["| measure | min | median | max |", "|---|---|---|---|"];
  const plain: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < starts; i++) {
    plain.push(await timeSpawn("/bin/true", []));
    bare.push(await timeSpawn("/usr/bin/bwrap", BARE_BWRAP));
  }
  rows.push(`| plain spawn of /bin/true | ${stats(plain)} |`);
  rows.push(`| bare bwrap running /bin/true (namespaces only) | ${stats(bare)} |`);
  await bench("bwrap", bwrapProvider({ baseDir: join(dir, "bwrap"), limits }), rows);
  await bench(
    "microvm",
    microvmProvider({
      baseDir: join(dir, "microvm"),
      limits,
      kernel: process.env.MICELIO_MICROVM_KERNEL,
      initrd: process.env.MICELIO_MICROVM_INITRD,
    }),
    rows,
  );
  console.log(
    `starts: ${starts}, CPU runs: ${cpuRuns}, load average: ${(await import("node:os"))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(rows.join("\n"));
} finally {
  await rm(dir, { recursive: true, force: true });
}
