// Long-run soak: a forge process (the compiled start, bin/micelio.js) under mixed load for
// --minutes (default 30): page views, API reads, sessions opened, changed and landed, pushes
// to a branch and full clones, from --clients concurrent loops. Every --every seconds it
// samples the forge's RSS (from /proc) and V8 heap (written by a preload in the forge), and
// at the end compares the first and last windows (5 minutes, or a quarter of a shorter run).
// Embedded PGlite, or PostgreSQL when DATABASE_URL is set (a database it may fill).
// --snapshots 1,4,8 writes a V8 heap snapshot of the forge at those minutes into --keep DIR
// (compare them with bench/heap-diff.ts); snapshots pause the forge and inflate its RSS.
// Run: npx tsx bench/soak.ts [--minutes 30] [--every 10] [--clients 2] [--snapshots M,M --keep DIR]
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { startSettings } from "./lib.ts";
import { memOf } from "./proc-mem.ts";

const { values: opt } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    every: { type: "string", default: "10" },
    clients: { type: "string", default: "2" },
    snapshots: { type: "string", default: "" },
    keep: { type: "string", default: "" },
  },
});
const minutes = Number(opt.minutes);
const every = Number(opt.every);
const work = mkdtempSync(join(tmpdir(), "micelio-soak-"));
const heapLog = join(work, "heap.jsonl");
const preload = join(work, "heap-log.mjs");
writeFileSync(
  preload,
  `import { appendFileSync } from "node:fs";
import { writeHeapSnapshot } from "node:v8";
process.on("SIGUSR2", () => writeHeapSnapshot(${JSON.stringify(opt.keep || work)} + "/heap-" + Date.now() + ".heapsnapshot"));
const log = (extra) => appendFileSync(${JSON.stringify(heapLog)}, JSON.stringify({ t: Date.now(), ...process.memoryUsage(), ...extra }) + "\\n");
setInterval(() => log({}), ${every * 1000}).unref();
// Once a minute, the heap after a full collection (what is retained, not what awaits collection).
setInterval(() => { globalThis.gc(); log({ after_gc: true }); }, 60_000).unref();\n`,
);
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Soak",
  GIT_AUTHOR_EMAIL: "soak@example.test",
  GIT_COMMITTER_NAME: "Soak",
  GIT_COMMITTER_EMAIL: "soak@example.test",
};
const git = (cwd: string, ...args: string[]) => promisify(execFile)("git", args, { cwd, env: GIT_ENV });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startForge(): Promise<{ url: string; child: ChildProcess }> {
  const bin = join(import.meta.dirname, "..", "packages", "forge", "bin", "micelio.js");
  const settings = startSettings(Boolean(process.env.DATABASE_URL)); // as `npm start` runs it
  const child = spawn(
    process.execPath,
    [...settings.nodeArgs, "--expose-gc", "--import", preload, bin, "serve"],
    {
      env: {
        ...process.env,
        ...settings.env,
        PORT: "0",
        HOST: "127.0.0.1",
        MICELIO_DATA_DIR: join(work, "data"),
        LOG_LEVEL: "warn",
        MICELIO_RATE_LIMIT_ANON: "1000000",
        MICELIO_RATE_LIMIT_USER: "1000000",
        MICELIO_RATE_LIMIT_AGENT: "1000000",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      for (const line of String(d).split("\n"))
        if (/"level":(50|60)/.test(line)) errors.push(line.slice(0, 2000));
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`forge exited ${code}`)));
  });
  return { url, child };
}

/** The forge's logged errors (pino level error or fatal). */
const errors: string[] = [];
const forge = await startForge();
const counts: Record<string, number> = {};
const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
try {
  const handle = `soak${Date.now().toString(36)}`;
  const password = "soak-password-123";
  let setup = true;
  const call = async (method: string, path: string, body?: unknown, auth = "") => {
    const res = await fetch(forge.url + path, {
      method,
      // No Content-Type without a body: the API refuses an empty body labelled JSON.
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(auth ? { authorization: auth } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err) => {
      if (setup) throw err;
      count(`network error ${err?.cause?.code ?? err}`); // e.g. a keep-alive socket closed as it was reused
      return null;
    });
    if (!res) return null;
    const text = await res.text();
    count(`${method.startsWith("G") ? "read" : "write"} ${res.status}`);
    if (res.status >= 300 && method !== "GET" && setup)
      throw new Error(`${method} ${path}: ${res.status} ${text}`);
    if (res.status >= 300 && method !== "GET") return null;
    return text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null;
  };
  await call("POST", "/api/v1/signup", { handle, email: `${handle}@example.test`, password });
  const basic = `Basic ${Buffer.from(`${handle}:${password}`).toString("base64")}`;
  const scopes = ["project:read", "project:write", "session:write"];
  const { token } = await call("POST", "/api/v1/tokens", { name: "soak", scopes }, basic);
  const auth = `Bearer ${token}`;
  await call("POST", "/api/v1/projects", { handle: "soak" }, auth);
  const api = `/api/v1/projects/${handle}/soak`;
  const remote = `${forge.url.replace("http://", `http://${handle}:${password}@`)}/${handle}/soak.git`;
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const land = async (path: string) => {
    const s = await call("POST", `${api}/sessions`, { goal: `soak ${path}` }, auth);
    if (!s) return;
    await call(
      "PUT",
      `${api}/sessions/${s.id}/changes`,
      { changes: [{ path, content: b64(`${path}\n`) }] },
      auth,
    );
    if (await call("POST", `${api}/sessions/${s.id}/land`, undefined, auth)) count("landed");
  };
  await land("README.md");
  setup = false;

  const end = Date.now() + minutes * 60_000;
  const samples: Array<{ t: number; rss_mib: number }> = [];
  const t0 = Date.now();
  const sampler = (async () => {
    while (Date.now() < end) {
      samples.push({ t: (Date.now() - t0) / 1000, rss_mib: memOf(forge.child.pid!).rss_mib });
      await sleep(every * 1000);
    }
  })();
  const client = async (c: number) => {
    const repo = join(work, `client${c}`);
    await git(work, "clone", "-q", remote, repo);
    await git(repo, "checkout", "-q", "-b", `soak-${c}`);
    for (let i = 0; Date.now() < end; i++) {
      for (const page of ["/", "/explore", `/${handle}`, `/${handle}/soak`, `/${handle}/soak/sessions`])
        await call("GET", page);
      for (const read of [api, `${api}/landings?limit=20`, `${api}/sessions`])
        await call("GET", read, undefined, auth);
      await land(`c${c}/f${i}.txt`);
      if (i % 5 === 0) {
        writeFileSync(join(repo, `push-${c}.txt`), `${i}\n`);
        await git(repo, "add", "-A");
        await git(repo, "commit", "-q", "-m", `push ${i}`);
        await git(repo, "push", "-q", "origin", `soak-${c}`).then(
          () => count("push"),
          () => count("push failed"),
        );
      }
      if (i % 10 === 0) {
        const dest = join(work, `clone-${c}-${i}`);
        await git(work, "clone", "-q", "--bare", remote, dest).then(
          () => count("clone"),
          () => count("clone failed"),
        );
        rmSync(dest, { recursive: true, force: true });
      }
    }
  };
  if (opt.keep) mkdirSync(opt.keep, { recursive: true });
  const snapshots = opt.snapshots
    ? opt.snapshots.split(",").map((m) => setTimeout(() => forge.child.kill("SIGUSR2"), Number(m) * 60_000))
    : [];
  const load0 = loadavg()[0];
  await Promise.all([sampler, ...Array.from({ length: Number(opt.clients) }, (_, c) => client(c))]);
  for (const t of snapshots) clearTimeout(t);

  const heap = readFileSync(heapLog, "utf8")
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          t: number;
          rss: number;
          heapUsed: number;
          heapTotal: number;
          external: number;
          after_gc?: boolean;
        },
    );
  const afterGc = heap.filter((h) => h.after_gc);
  const sampled = heap.filter((h) => !h.after_gc);
  const window = Math.min(5, minutes / 4) * 60;
  const total = minutes * 60;
  const mean = (xs: number[]) => Number((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(1));
  const MiB = 1048576;
  const h0 = t0;
  const inWindow = <T>(xs: T[], t: (x: T) => number, last: boolean) =>
    xs.filter((x) => t(x) >= 0 && (last ? t(x) >= total - window : t(x) <= window));
  const report = (last: boolean) => ({
    rss_mib: mean(inWindow(samples, (s) => s.t, last).map((s) => s.rss_mib)),
    heap_used_mib: mean(inWindow(sampled, (h) => (h.t - h0) / 1000, last).map((h) => h.heapUsed / MiB)),
    heap_after_gc_mib: mean(inWindow(afterGc, (h) => (h.t - h0) / 1000, last).map((h) => h.heapUsed / MiB)),
    external_after_gc_mib: mean(
      inWindow(afterGc, (h) => (h.t - h0) / 1000, last).map((h) => h.external / MiB),
    ),
    heap_total_mib: mean(inWindow(sampled, (h) => (h.t - h0) / 1000, last).map((h) => h.heapTotal / MiB)),
    external_mib: mean(inWindow(sampled, (h) => (h.t - h0) / 1000, last).map((h) => h.external / MiB)),
  });
  const first = report(false);
  const last = report(true);
  console.log(
    JSON.stringify(
      {
        database: process.env.DATABASE_URL ? "postgres" : "pglite",
        minutes,
        sample_every_s: every,
        clients: Number(opt.clients),
        window_s: window,
        load_average_1m: { start: load0, end: loadavg()[0] },
        operations: counts,
        landings_per_s: Number(((counts.landed ?? 0) / (minutes * 60)).toFixed(2)),
        first_window: first,
        last_window: last,
        growth_mib: Object.fromEntries(
          Object.keys(first).map((k) => [
            k,
            Number((last[k as "rss_mib"] - first[k as "rss_mib"]).toFixed(1)),
          ]),
        ),
        forge_errors: { count: errors.length, first: errors.slice(0, 3) },
        rss_samples_mib: samples.map((s) => s.rss_mib),
        heap_after_gc_mib: afterGc.map((h) => Number((h.heapUsed / MiB).toFixed(1))),
        external_after_gc_mib: afterGc.map((h) => Number((h.external / MiB).toFixed(1))),
      },
      null,
      2,
    ),
  );
} finally {
  forge.child.kill("SIGTERM");
  await new Promise((r) => (forge.child.exitCode === null ? forge.child.once("exit", r) : r(null)));
  rmSync(work, { recursive: true, force: true });
}
