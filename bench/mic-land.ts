// Benchmark: the wall time of `mic land` for a one-line change against a local forge (its
// own process, embedded PGlite). Each mic bundle given gets its own checkout of one project
// and edits its own file; the bundles take turns (session start untimed, edit one line, time
// `mic --json land`), so a "before" and an "after" bundle run side by side on the same load.
// With BENCH_TRACE=1, each land's git processes are timed through GIT_TRACE2_EVENT, and mic's
// own trace (MIC_TRACE: git processes and HTTP calls as mic sees them) is printed.
// Run: npx tsx bench/mic-land.ts [runs=10] [bundle …] (default: packages/mic/dist/mic.mjs;
// a copied bundle needs node_modules beside it, e.g. a symlink to the repository's)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { api, git, median, startForgeProcess } from "./lib.ts";

const RUNS = Number(process.argv[2] ?? 10);
const BUNDLES = (process.argv.length > 3 ? process.argv.slice(3) : ["packages/mic/dist/mic.mjs"]).map((b) =>
  resolve(b),
);
const TRACE = process.env.BENCH_TRACE === "1";
const LINES = 40;

const work = mkdtempSync(join(tmpdir(), "micelio-bench-mic-"));
const forge = await startForgeProcess(join(work, "forge"));
const env = { ...process.env, MIC_SERVER: forge.url, MIC_CONFIG_DIR: join(work, "config") };

function mic(bundle: string, cwd: string, args: string[], extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd, env: { ...env, ...extraEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
async function ok(bundle: string, cwd: string, args: string[], extraEnv?: Record<string, string>) {
  const r = await mic(bundle, cwd, args, extraEnv);
  if (r.code !== 0) throw new Error(`mic ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  if (extraEnv?.MIC_TRACE) process.stdout.write(r.stderr);
  return r.stdout;
}

/** Each git process of a GIT_TRACE2_EVENT file: its command and wall time. */
function gitProcesses(file: string): string[] {
  if (!existsSync(file)) return [];
  const starts = new Map<string, { argv: string; t: number }>();
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const e = JSON.parse(line);
    if (e.event === "start") starts.set(e.sid, { argv: e.argv.slice(1, 4).join(" "), t: e.t_abs });
    if (e.event === "exit" && starts.has(e.sid) && !e.sid.includes("/"))
      out.push(`${(e.t_abs * 1000).toFixed(0).padStart(6)} ms  git ${starts.get(e.sid)!.argv}`);
  }
  return out;
}

try {
  const handle = "bench";
  const password = "bench-password-123";
  await api(forge.url, "POST", "/api/v1/signup", { handle, email: "bench@example.test", password });
  const basic = `Basic ${Buffer.from(`${handle}:${password}`).toString("base64")}`;
  const scopes = ["project:read", "project:write", "session:write"];
  const { token } = await api(forge.url, "POST", "/api/v1/tokens", { name: "bench", scopes }, basic);
  await api(forge.url, "POST", "/api/v1/projects", { handle: "app" }, `Bearer ${token}`);

  // Trunk starts with one commit holding a 40-line file per bundle.
  const src = join(work, "src");
  await git(work, "init", "-q", "-b", "main", src);
  const text = (edit: string) =>
    `${Array.from({ length: LINES }, (_, i) => (i === 0 ? edit : `line ${i + 1}`)).join("\n")}\n`;
  for (const [b] of BUNDLES.entries()) writeFileSync(join(src, `file-${b}.txt`), text("line 1"));
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "Initial import");
  await git(
    src,
    "push",
    "-q",
    `${forge.url.replace("http://", `http://${handle}:${password}@`)}/bench/app.git`,
    "main",
  );

  await ok(BUNDLES[0]!, work, ["auth", "login", "--token", token]);
  const checkouts = BUNDLES.map((_, b) => join(work, `co-${b}`));
  for (const [b, bundle] of BUNDLES.entries()) await ok(bundle, work, ["clone", "bench/app", checkouts[b]!]);

  const times: number[][] = BUNDLES.map(() => []);
  // One untimed round first (warms the forge's caches and the page cache), then RUNS timed.
  for (let run = 0; run <= RUNS; run++) {
    for (const [b, bundle] of BUNDLES.entries()) {
      const co = checkouts[b]!;
      await ok(bundle, co, ["session", "start", `Edit line 1, run ${run}`]);
      writeFileSync(join(co, `file-${b}.txt`), text(`line 1, edited in run ${run}`));
      const trace = join(work, `trace-${b}-${run}.json`);
      const t0 = performance.now();
      const out = await ok(
        bundle,
        co,
        ["--json", "land"],
        TRACE ? { GIT_TRACE2_EVENT: trace, MIC_TRACE: "1" } : {},
      );
      const ms = performance.now() - t0;
      if (run > 0) times[b]!.push(ms);
      const landed = JSON.parse(out);
      const head = await git(co, "rev-parse", "HEAD");
      const status = JSON.parse(await ok(bundle, co, ["--json", "status"]));
      if (head !== landed.commit || status.changes.length || status.session)
        throw new Error(`checkout not at the landed commit: ${head} vs ${landed.commit}`);
      if (TRACE && run > 0)
        console.log(`${bundle} run ${run}: ${ms.toFixed(0)} ms\n${gitProcesses(trace).join("\n")}`);
    }
  }
  const result = {
    runs: RUNS,
    load_average: loadavg().map((l) => Number(l.toFixed(2))),
    bundles: BUNDLES.map((bundle, b) => {
      const t = times[b]!;
      return {
        bundle,
        min_ms: Math.round(Math.min(...t)),
        median_ms: Math.round(median(t)),
        max_ms: Math.round(Math.max(...t)),
      };
    }),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  forge.child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
