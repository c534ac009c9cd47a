// Benchmark: what one git process costs the Node process that starts it, as that process's
// resident memory grows. The forge runs every git command through child_process.spawn, which
// forks the whole Node process synchronously on the event loop thread; fork() copies the
// page tables and the child's exec() tears them down again, so the cost grows with RSS.
// Each size runs in a fresh Node process holding that many MiB of touched memory.
// Run: npx tsx bench/spawn-cost.ts [MiB=0,200,500,900] [spawns=60]
import { execFileSync, spawn } from "node:child_process";
import { loadavg } from "node:os";

const SIZES = (process.argv[2] ?? "0,200,500,900").split(",").map(Number);
const SPAWNS = Number(process.argv[3] ?? 60);

const gitOnce = () =>
  new Promise<void>((resolve, reject) => {
    const child = spawn("git", ["--version"], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.resume();
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", () => resolve());
  });

if (process.env.SPAWN_COST_CHILD) {
  const mib = Number(process.env.SPAWN_COST_CHILD);
  const held = new Uint8Array(mib * 1024 * 1024);
  for (let i = 0; i < held.length; i += 4096) held[i] = 1;
  for (let i = 0; i < 5; i++) await gitOnce();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let blocked = 0; // time spent inside spawn() itself: the event loop can do nothing else
  for (let i = 0; i < SPAWNS; i++) {
    const t = performance.now();
    const done = gitOnce();
    blocked += performance.now() - t;
    await done;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (held.length > 0 && held[0] !== 1) throw new Error("held memory was not kept");
  console.log(
    JSON.stringify({
      held_mib: mib,
      rss_mib: Math.round(process.memoryUsage().rss / 2 ** 20),
      wall_ms_per_git: Number((wall / SPAWNS).toFixed(1)),
      spawn_call_blocks_ms: Number((blocked / SPAWNS).toFixed(1)),
      parent_cpu_ms_per_git: Number(((cpu.user + cpu.system) / 1000 / SPAWNS).toFixed(1)),
    }),
  );
} else {
  const rows = SIZES.map((mib) =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", import.meta.filename], {
        env: { ...process.env, SPAWN_COST_CHILD: String(mib) },
        encoding: "utf8",
      }),
    ),
  );
  console.log(JSON.stringify({ spawns_per_size: SPAWNS, load_average_1m: loadavg()[0], rows }, null, 2));
}
