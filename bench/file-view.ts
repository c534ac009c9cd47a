// Benchmark: the web view of a 2,000-line TypeScript file, cold (first view: highlight and
// cache) and warm (served from memory), plus the warm tree, commit and blame pages and the
// blob's JSON. Then one more warm pass of every page under strace (when present) counts the
// git processes the forge starts: a warm page should start none. Each warm series (right after
// the first view) is followed by a steady one, after BENCH_SETTLE (100) more untimed requests
// per page, once the JIT and the garbage collector have settled. Run: npx tsx bench/file-view.ts [runs]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { benchProject, git, median, startForgeProcess, time } from "./lib.ts";

const RUNS = Number(process.argv[2] ?? 20);
/** Untimed requests per page between the warm series and the steady one (JIT, caches, GC settled). */
const SETTLE = Number(process.env.BENCH_SETTLE ?? 100);

/** The warm series (right after the first view), then SETTLE untimed, then the steady series. */
async function warmAndSteady(pages: Record<string, string>, ask: (path: string) => Promise<void>) {
  const warm: Record<string, ReturnType<typeof stats>> = {};
  const steady: Record<string, ReturnType<typeof stats>> = {};
  for (const [name, path] of Object.entries(pages)) {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await time(() => ask(path)));
    warm[name] = stats(runs);
  }
  for (const [name, path] of Object.entries(pages)) {
    for (let i = 0; i < SETTLE; i++) await ask(path);
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await time(() => ask(path)));
    steady[name] = stats(runs);
  }
  return { warm, steady };
}

function typescriptFile(lines: number): string {
  const out: string[] = [
    "// Generated for the file-view benchmark.",
    'import { readFileSync } from "node:fs";',
    "",
  ];
  for (let i = 0; out.length < lines; i++) {
    out.push(`export interface Record${i} { id: number; name: string; tags: string[] }`);
    out.push(`export function transform${i}(input: Record${i}[]): Map<number, string> {`);
    out.push(`  const result = new Map<number, string>(); // entry ${i}`);
    out.push(`  for (const item of input) result.set(item.id * ${i + 1}, \`\${item.name}-${i}\`);`);
    out.push("  return result;");
    out.push("}");
    out.push("");
  }
  return `${out.slice(0, lines).join("\n")}\n`;
}

/** Attaches strace to the forge to count the git processes it starts (null without strace). */
async function traceExecs(pid: number, file: string): Promise<ChildProcess | null> {
  const child = spawn(
    "strace",
    ["-f", "-qq", "-e", "trace=execve", "-e", "status=successful", "-o", file, "-p", String(pid)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const ok = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(false));
    child.once("spawn", () => setTimeout(() => resolve(child.exitCode === null), 1000));
    setTimeout(() => resolve(false), 5000);
  });
  if (!ok) child.kill();
  return ok ? child : null;
}

const stats = (xs: number[]) => {
  const r = (x: number) => Number(x.toFixed(2));
  return { min: r(Math.min(...xs)), median: r(median(xs)), max: r(Math.max(...xs)) };
};

/** Signs up, creates the project and pushes the repository to the forge at `url`. */
async function publish(url: string, src: string) {
  await benchProject(url, "files");
  await git(
    src,
    "push",
    "-q",
    `${url.replace("http://", "http://bench:bench-password@")}/bench/files.git`,
    "main",
  );
}

/**
 * Server time alone: a forge in this process, each warm page asked of its app directly
 * (every middleware, the access check, the page; no socket, no client decoding the HTML).
 */
async function serverTimes(dataDir: string, src: string, pages: Record<string, string>) {
  const { loadConfig } = await import("../packages/forge/src/config/config.ts");
  const { startForge } = await import("../packages/forge/src/server.ts");
  const { buildApp } = await import("../packages/forge/src/app.ts");
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: "",
    PORT: "0",
    HOST: "127.0.0.1",
    MICELIO_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    MICELIO_RATE_LIMIT_ANON: "1000000",
    MICELIO_RATE_LIMIT_USER: "1000000",
  });
  const running = await startForge(config);
  try {
    await publish(running.url, src);
    const app = buildApp(running.forge);
    const ask = async (path: string) => {
      const res = await app.request(`http://127.0.0.1${path}`);
      if (res.status !== 200)
        throw new Error(`${path}: status ${res.status}: ${(await res.text()).slice(0, 400)}`);
      await res.arrayBuffer();
    };
    for (const path of Object.values(pages)) await ask(path);
    return await warmAndSteady(pages, ask);
  } finally {
    await running.stop();
  }
}

const work = mkdtempSync(join(tmpdir(), "micelio-fileview-"));
try {
  const src = join(work, "src");
  mkdirSync(join(src, "src"), { recursive: true });
  await git(work, "init", "-q", "-b", "main", src);
  writeFileSync(join(src, "src", "big.ts"), typescriptFile(2000));
  writeFileSync(join(src, "README.md"), "# Files\n\nA benchmark repository.\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "big file");
  const sha = await git(src, "rev-parse", "HEAD");
  const forge = await startForgeProcess(join(work, "forge"));
  await publish(forge.url, src);
  const get = (path: string) => async () => {
    const res = await fetch(forge.url + path);
    if (res.status !== 200)
      throw new Error(`${path}: status ${res.status}: ${(await res.text()).slice(0, 400)}`);
    await res.text();
  };
  const pages = {
    blob: "/bench/files/blob/main/src/big.ts",
    tree: "/bench/files/tree/main/src",
    commit: `/bench/files/commit/${sha}`,
    blame: "/bench/files/blame/main/src/big.ts",
    blob_json: "/api/v1/projects/bench/files/blob/main/src/big.ts",
  };
  const cold: Record<string, number> = {};
  for (const [name, path] of Object.entries(pages)) cold[name] = Number((await time(get(path))).toFixed(1));
  const { warm, steady } = await warmAndSteady(pages, (path) => get(path)());
  // Then once more under strace (which slows every system call, so it is not timed).
  const traceFile = join(work, "strace.txt");
  const tracer = await traceExecs(forge.child.pid!, traceFile);
  let gitExecs: number | null = null;
  if (tracer) {
    for (const path of Object.values(pages)) await get(path)();
    tracer.kill("SIGINT");
    await new Promise((r) => tracer.once("close", r));
    gitExecs = readFileSync(traceFile, "utf8")
      .split("\n")
      .filter((l) => /execve\("[^"]*\/git", \["git"/.test(l)).length;
  }
  forge.child.kill("SIGTERM");
  const server = await serverTimes(join(work, "inproc"), src, pages);
  console.log(
    JSON.stringify(
      {
        lines: 2000,
        runs: RUNS,
        load_average: loadavg().map((x) => Number(x.toFixed(2))),
        cold_ms: cold,
        settle: SETTLE,
        warm_ms: warm,
        steady_ms: steady,
        warm_server_ms: server.warm,
        steady_server_ms: server.steady,
        git_processes_during_a_warm_pass: gitExecs,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
