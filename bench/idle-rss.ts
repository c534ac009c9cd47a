// Benchmark: idle memory of the forge as `npm start` runs it. Starts the command (default
// `npm start`) in a checkout with a fresh data directory, waits for "running at", lets it
// settle, and sums the RSS (and PSS) of the whole process tree (npm, sh, node); then views a
// few pages and API reads, settles again and measures once more. Each run does this twice:
// the first start on a new data directory, then a restart on the same directory. Runs on embedded PGlite, or
// on PostgreSQL when DATABASE_URL is set (a database the benchmark may fill).
// Run: npx tsx bench/idle-rss.ts [--runs 3] [--settle 10] [--root DIR] [--command "npm start"]
//        [--modules]   (also list the packages the forge loaded, through a resolve hook)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stats, treeMem } from "./proc-mem.ts";

const { values: opt } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    settle: { type: "string", default: "10" },
    root: { type: "string", default: join(import.meta.dirname, "..") },
    command: { type: "string", default: "npm start" },
    modules: { type: "boolean", default: false },
  },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PAGES = ["/", "/explore", "/login", "/search?q=x", "/docs", "/health", "/api/v1/openapi.json"];

// A resolve hook that appends every resolved module's URL to $MICELIO_MODULE_LOG.
const HOOK = `import { appendFileSync } from "node:fs";
export async function resolve(s, c, next) {
  const r = await next(s, c);
  if (process.env.MICELIO_MODULE_LOG) appendFileSync(process.env.MICELIO_MODULE_LOG, r.url + "\\n");
  return r;
}`;

/** Packages (names under node_modules) whose modules were resolved, from a hook log. */
function packagesIn(log: string): string[] {
  const names = new Set<string>();
  for (const url of log.split("\n")) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

/** Starts the command on `dataDir`, measures idle and after a few pages, and stops it. */
async function measure(env: Record<string, string | undefined>) {
  const t0 = performance.now();
  const child = spawn("sh", ["-c", opt.command], {
    cwd: opt.root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        const m = /running at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`${opt.command} exited ${code}: ${out}`)));
    });
    const startup_ms = Math.round(performance.now() - t0);
    await sleep(Number(opt.settle) * 1000);
    const idle = treeMem(child.pid!);
    for (let i = 0; i < 3; i++) {
      for (const page of PAGES) await (await fetch(url + page)).arrayBuffer();
    }
    await sleep(Number(opt.settle) * 1000);
    return { startup_ms, idle, warm: treeMem(child.pid!) };
  } finally {
    process.kill(-child.pid!, "SIGTERM");
    await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(null)));
    await sleep(500);
  }
}

/** One run: a first start on a new data directory, then a restart on the same one. */
async function once(run: number) {
  const dir = mkdtempSync(join(tmpdir(), "micelio-idle-rss-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    MICELIO_DATA_DIR: join(dir, "data"),
    LOG_LEVEL: "warn",
  };
  if (opt.modules) {
    const preload = join(dir, "module-log.mjs");
    const hook = `data:text/javascript,${encodeURIComponent(HOOK)}`;
    writeFileSync(preload, `import { register } from "node:module";\nregister(${JSON.stringify(hook)});\n`);
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import ${preload}`.trim();
    env.MICELIO_MODULE_LOG = join(dir, "modules.log");
    writeFileSync(env.MICELIO_MODULE_LOG, "");
  }
  try {
    const first = await measure(env);
    const restart = await measure(env);
    const modules = opt.modules ? packagesIn(readFileSync(env.MICELIO_MODULE_LOG!, "utf8")) : undefined;
    console.error(
      `run ${run}: first start ${first.startup_ms} ms, ${first.idle.rss_mib} MiB idle; ` +
        `restart ${restart.startup_ms} ms, ${restart.idle.rss_mib} MiB idle, ${restart.warm.rss_mib} MiB after pages`,
    );
    return { first, restart, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Measured = Awaited<ReturnType<typeof measure>>;
const summary = (ms: Measured[]) => ({
  startup_ms: stats(ms.map((m) => m.startup_ms)),
  idle_rss_mib: stats(ms.map((m) => m.idle.rss_mib)),
  idle_pss_mib: stats(ms.map((m) => m.idle.pss_mib)),
  after_pages_rss_mib: stats(ms.map((m) => m.warm.rss_mib)),
  after_pages_pss_mib: stats(ms.map((m) => m.warm.pss_mib)),
});

const load_average_1m = { start: loadavg()[0], end: 0 };
const runs = [];
for (let i = 1; i <= Number(opt.runs); i++) runs.push(await once(i));
load_average_1m.end = loadavg()[0];
console.log(
  JSON.stringify(
    {
      command: opt.command,
      root: opt.root,
      database: process.env.DATABASE_URL ? "postgres" : "pglite",
      settle_s: Number(opt.settle),
      load_average_1m,
      first_start: summary(runs.map((r) => r.first)),
      restart: summary(runs.map((r) => r.restart)),
      last_restart_processes: runs[runs.length - 1].restart.warm.processes,
      modules: runs[0].modules,
    },
    null,
    2,
  ),
);
