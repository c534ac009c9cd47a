// Benchmark: landing throughput through the HTTP API. A forge runs as its own process
// (embedded PGlite; PostgreSQL when DATABASE_URL is set — it then must name a database the
// benchmark may fill). For each level of concurrency, C clients repeatedly open a session,
// PUT one new file of their own (no two sessions touch the same path) and land it, until the
// level's total number of landings is reached. Each level uses its own project.
// Run: npx tsx bench/land.ts [clients=1,10,100] [landings=40,120,200] [--workers N]
// (--workers N, or BENCH_WORKERS=N: N forge processes with MICELIO_WORKERS, PostgreSQL only).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startForgeProcess } from "./lib.ts";

const args = process.argv.slice(2);
const flag = args.indexOf("--workers");
const WORKERS = Number(flag >= 0 ? args.splice(flag, 2)[1] : (process.env.BENCH_WORKERS ?? 1));
const CLIENTS = (args[0] ?? "1,10,100").split(",").map(Number);
const LANDINGS = (args[1] ?? "40,120,200").split(",").map(Number);
if (CLIENTS.length !== LANDINGS.length || [...CLIENTS, ...LANDINGS].some((n) => !(n > 0))) {
  throw new Error("usage: npx tsx bench/land.ts [clients,…] [landings,…] (lists of equal length)");
}
const WARMUP = 5;

/** CPU time of a process and of its waited-for children (the forge's git commands), in ms. */
function cpuOf(pid: number): { self: number; children: number } {
  // Fields after the command name: state is field 3; utime, stime, cutime, cstime are 14–17.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  return { self: (Number(f[11]) + Number(f[12])) * tick, children: (Number(f[13]) + Number(f[14])) * tick };
}

/** CPU time of the forge: its process and, with workers, each worker's (their children not counted). */
function forgeCpu(pid: number): { self: number; children: number } {
  const own = cpuOf(pid);
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {}
  if (WORKERS <= 1) return own;
  for (const k of kids) {
    try {
      const c = cpuOf(k);
      own.self += c.self;
      own.children += c.children;
    } catch {}
  }
  return own;
}

/** Resident memory and page-table size of a process, in MiB (fork() copies the page tables). */
function memOf(pid: number): { rss_mib: number; page_tables_mib: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return {
    rss_mib: Math.round(kib("VmRSS") / 1024),
    page_tables_mib: Number((kib("VmPTE") / 1024).toFixed(1)),
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(1)));

const work = mkdtempSync(join(tmpdir(), "micelio-bench-land-"));
// A preload in the forge answers SIGUSR2 by writing how many queries its database layer has
// sent (db/db.ts counts them), so each level reports queries per whole cycle (one process).
const queriesFile = join(work, "queries");
const preload = join(work, "count-queries.mjs");
writeFileSync(
  preload,
  `import { writeFileSync } from "node:fs";
process.on("SIGUSR2", () => writeFileSync(${JSON.stringify(queriesFile)}, String(globalThis[Symbol.for("micelio.db.queries")] ?? -1)));\n`,
);
async function queriesSoFar(pid: number): Promise<number | null> {
  if (WORKERS > 1) return null;
  rmSync(queriesFile, { force: true });
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 200 && !existsSync(queriesFile); i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 10));
  return existsSync(queriesFile) ? Number(readFileSync(queriesFile, "utf8")) : null;
}
// Keeps DATABASE_URL (the forge then runs on PostgreSQL); BENCH_FORGE_NODE_ARGS adds node
// flags to the forge (e.g. --cpu-prof --cpu-prof-dir=/tmp/p).
const forge = await startForgeProcess(join(work, "forge"), {
  keepDatabaseUrl: true,
  nodeArgs: [...(process.env.BENCH_FORGE_NODE_ARGS ?? "").split(" ").filter(Boolean), "--import", preload],
  env: WORKERS > 1 ? { MICELIO_WORKERS: String(WORKERS) } : {},
});
try {
  const run = Date.now().toString(36);
  const handle = `bench${run}`;
  const password = "bench-password-123";
  const call = async (method: string, path: string, body: unknown, auth: string) => {
    const res = await fetch(forge.url + path, {
      method,
      // The API refuses a JSON content type without a body: send the header only with one.
      headers:
        body === undefined
          ? { authorization: auth }
          : { "content-type": "application/json", authorization: auth },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, path: string, body: unknown, auth: string) => {
    const r = await call(method, path, body, auth);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await ok("POST", "/api/v1/signup", { handle, email: `${handle}@example.test`, password }, "");
  const basic = `Basic ${Buffer.from(`${handle}:${password}`).toString("base64")}`;
  const { token } = await ok(
    "POST",
    "/api/v1/tokens",
    { name: "bench", scopes: ["project:read", "project:write", "session:write"] },
    basic,
  );
  const auth = `Bearer ${token}`;
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  /** One landing: open a session, PUT one file, land. Returns the three latencies. */
  const cycle = async (api: string, path: string) => {
    const t0 = performance.now();
    const s = await ok("POST", `${api}/sessions`, { goal: `add ${path}` }, auth);
    const t1 = performance.now();
    await ok(
      "PUT",
      `${api}/sessions/${s.id}/changes`,
      { changes: [{ path, content: b64(`${path}\n`) }] },
      auth,
    );
    const t2 = performance.now();
    const landed = await call("POST", `${api}/sessions/${s.id}/land`, undefined, auth);
    const t3 = performance.now();
    return {
      status: landed.status,
      body: landed.body,
      create: t1 - t0,
      put: t2 - t1,
      land: t3 - t2,
      total: t3 - t0,
    };
  };

  const memoryAtStart = memOf(forge.child.pid!);
  const levels = [];
  for (const [i, clients] of CLIENTS.entries()) {
    const total = LANDINGS[i];
    const project = `land-${clients}`;
    await ok("POST", "/api/v1/projects", { handle: project }, auth);
    const api = `/api/v1/projects/${handle}/${project}`;
    // Untimed warm-up: creates trunk and the project's cached landing index.
    for (let w = 0; w < WARMUP; w++) {
      const r = await cycle(api, `warmup/${w}.txt`);
      if (r.status !== 200) throw new Error(`warm-up landing: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const create: number[] = [];
    const put: number[] = [];
    const land: number[] = [];
    const cycles: number[] = [];
    const failures: Record<string, number> = {};
    let started = 0;
    const client = async (c: number) => {
      for (let n = 0; started < total; n++) {
        started++;
        const r = await cycle(api, `clients/c${c}/f${n}.txt`);
        if (r.status !== 200) {
          const key = `${r.status} ${r.body?.detail ?? r.body?.title ?? ""}`.trim();
          failures[key] = (failures[key] ?? 0) + 1;
          continue;
        }
        create.push(r.create);
        put.push(r.put);
        land.push(r.land);
        cycles.push(r.total);
      }
    };
    const load0 = loadavg()[0];
    const queries0 = await queriesSoFar(forge.child.pid!);
    const cpu0 = forgeCpu(forge.child.pid!);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    const wall = performance.now() - t0;
    const cpu1 = forgeCpu(forge.child.pid!);
    const own1 = process.cpuUsage(own0);
    const queries1 = await queriesSoFar(forge.child.pid!);
    // Epochs: a landing's created_at is its transaction's start, shared by one epoch's landings.
    const log: Array<{ position: number; landed_at: string }> = [];
    for (let before: number | undefined; ; ) {
      const page = await ok(
        "GET",
        `${api}/landings?limit=200${before ? `&before=${before}` : ""}`,
        undefined,
        auth,
      );
      log.push(...page.filter((l: { position: number }) => l.position > WARMUP));
      if (page.length < 200 || page[page.length - 1].position <= WARMUP + 1) break;
      before = page[page.length - 1].position;
    }
    const epochs = new Map<string, number>();
    for (const l of log) epochs.set(l.landed_at, (epochs.get(l.landed_at) ?? 0) + 1);
    const landed = land.length;
    levels.push({
      clients,
      landings: landed,
      failed: failures,
      wall_s: Number((wall / 1000).toFixed(2)),
      landings_per_s: Number(((landed / wall) * 1000).toFixed(1)),
      cycle_ms: { p50: ms(quantile(cycles, 0.5)), p95: ms(quantile(cycles, 0.95)) },
      create_ms: { p50: ms(quantile(create, 0.5)), p95: ms(quantile(create, 0.95)) },
      put_ms: { p50: ms(quantile(put, 0.5)), p95: ms(quantile(put, 0.95)) },
      land_ms: { p50: ms(quantile(land, 0.5)), p95: ms(quantile(land, 0.95)) },
      epochs: epochs.size,
      queries_per_cycle:
        queries0 === null || queries1 === null ? null : Number(((queries1 - queries0) / landed).toFixed(1)),
      landings_per_epoch: {
        mean: Number((log.length / Math.max(1, epochs.size)).toFixed(1)),
        max: Math.max(0, ...epochs.values()),
      },
      cpu_ms_per_landing: {
        forge_node: ms((cpu1.self - cpu0.self) / landed),
        forge_git_children: ms((cpu1.children - cpu0.children) / landed),
        bench_clients: ms((own1.user + own1.system) / 1000 / landed),
      },
      load_average_1m: { start: load0, end: loadavg()[0] },
      forge_memory_after: memOf(forge.child.pid!),
    });
    console.error(`${clients} client(s): ${landed} landings in ${(wall / 1000).toFixed(1)} s`);
  }
  console.log(
    JSON.stringify(
      {
        database: process.env.DATABASE_URL ? "postgres" : "pglite",
        forge_processes: WORKERS,
        warmup_landings: WARMUP,
        forge_memory_at_start: memoryAtStart,
        levels,
      },
      null,
      2,
    ),
  );
} finally {
  forge.child.kill("SIGTERM");
  await new Promise((r) => forge.child.once("exit", r));
  rmSync(work, { recursive: true, force: true });
}
