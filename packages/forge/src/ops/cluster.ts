// MICELIO_WORKERS=N: N forge processes on one machine sharing one port (node:cluster; the
// primary hands connections round-robin to the workers). The primary opens no database and
// serves nothing: it starts the workers, starts a worker again when one dies (waiting longer
// each time one dies soon after starting, and giving up after several such deaths in a
// row), and on SIGTERM or SIGINT asks every worker to stop (each finishes its requests,
// landings and jobs) and exits when they have. What must happen once per instance already
// does across processes: one lander per project (landing/project-lock.ts), jobs claimed
// with SKIP LOCKED, each cron slot enqueued once (jobs/cron.ts). PGlite is one process, so
// more than one worker needs PostgreSQL (ADR 23).
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import type { Logger } from "./logger.ts";

const MAX_WORKERS = 64;
/** A worker that dies sooner than this after starting counts as a failed start. */
const QUICK_DEATH_MS = 10_000;
const MAX_QUICK_DEATHS = 5;
const STOP_TIMEOUT_MS = 35_000;

/** MICELIO_WORKERS as a number of processes (1 when unset); throws on a bad value. */
export function workerCount(env: NodeJS.ProcessEnv): number {
  const raw = env.MICELIO_WORKERS?.trim();
  if (!raw) return 1;
  const n = raw === "auto" ? 0 : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKERS)
    throw new Error(`MICELIO_WORKERS must be a whole number from 1 to ${MAX_WORKERS}, or auto (got ${raw})`);
  return n === 0 ? Math.min(MAX_WORKERS, availableParallelism()) : n;
}

/** Why these settings cannot run `workers` processes, or null when they can. */
export function clusterRefusal(workers: number, env: NodeJS.ProcessEnv): string | null {
  if (workers > 1 && !env.DATABASE_URL)
    return (
      `MICELIO_WORKERS=${workers} needs PostgreSQL: the embedded database (PGlite) belongs to ` +
      "one process. Set DATABASE_URL, or unset MICELIO_WORKERS to run one process."
    );
  return null;
}

/** In a worker: tells the primary the forge is serving at `url`. */
export function announceWorker(url: string): boolean {
  if (!cluster.isWorker || !process.send) return false;
  process.send({ type: "micelio:listening", url });
  return true;
}

/** Runs the primary until it is told to stop; `print` gets the URL once the first worker serves. */
export function runPrimary(workers: number, log: Logger, print: (url: string) => void): Promise<number> {
  let stopping = false;
  let announced = false;
  let quickDeaths = 0;
  let exitCode = 0;
  const started = new Map<Worker, number>();
  let finish: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const fork = () => {
    const worker = cluster.fork({ MICELIO_WORKER: "1" });
    started.set(worker, Date.now());
    worker.on("message", (m: { type?: string; url?: string }) => {
      if (m?.type !== "micelio:listening" || !m.url) return;
      log.info({ pid: worker.process.pid, url: m.url }, "worker serving");
      if (!announced) {
        announced = true;
        print(m.url);
      }
    });
  };

  cluster.on("exit", (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) finish(exitCode);
      return;
    }
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    log.error({ pid: worker.process.pid, code, signal, livedMs: lived }, "worker died; starting another");
    if (quickDeaths >= MAX_QUICK_DEATHS) {
      log.error({ deaths: quickDeaths }, "workers keep dying right after they start; stopping");
      stop("workers failing", 1);
      return;
    }
    setTimeout(fork, quickDeaths === 0 ? 0 : Math.min(30_000, 250 * 2 ** quickDeaths)).unref();
  });

  const stop = (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info({ why, workers: started.size }, "stopping workers");
    if (started.size === 0) finish(code);
    for (const w of started.keys()) w.process.kill("SIGTERM");
    const force = setTimeout(() => {
      log.error("workers took too long to stop; killing them");
      for (const w of started.keys()) w.process.kill("SIGKILL");
    }, STOP_TIMEOUT_MS);
    force.unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  for (let i = 0; i < workers; i++) fork();
  return done;
}
