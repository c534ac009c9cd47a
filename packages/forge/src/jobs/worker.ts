// JobWorker: polls the jobs table, claims ready jobs and runs their handlers, outside any
// transaction, a few at a time. Failures are retried with exponential backoff until the job
// goes dead. While a job runs its lease is renewed; jobs whose lease ran out (their worker
// crashed) are put back in the queue, so a job survives a process restart. Each handler runs
// in its own async context: an error that escapes it (thrown from a timer, a promise nobody
// awaits) and reaches the process handlers (ops/last-resort.ts) fails that job through
// failJobOfEscapedError instead of stopping the process.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "../db/db.ts";
import type { Job } from "../db/schema.ts";
import { type BackoffFn, type BackoffOptions, exponentialBackoff } from "./backoff.ts";
import { claimJobs, completeJob, extendLeases, failJob, recoverExpiredLeases } from "./claim.ts";
import { errorText } from "./queue.ts";
import { type JobHandler, type JobLogger, silentLogger } from "./types.ts";

export interface JobWorkerOptions {
  db: Db;
  /** Handler per job kind. A job of a kind without a handler fails (and is retried, then dead). */
  handlers: Record<string, JobHandler>;
  /** Recorded in locked_by; default host:pid:random. */
  id?: string;
  /** How often an idle worker looks for ready jobs, in ms (default 1000). */
  pollMs?: number;
  /** Jobs run at the same time (default 4). */
  concurrency?: number;
  /** A running job whose lease is not renewed for this long is presumed abandoned (default 5 min). */
  leaseMs?: number;
  /** How often to look for abandoned jobs, in ms (default min(leaseMs / 2, 60 s)). */
  recoverEveryMs?: number;
  log?: JobLogger;
  /** Retry delay: options for the exponential backoff, or a function of the failed attempt. */
  backoff?: BackoffOptions | BackoffFn;
  /** Told of every failed attempt (error tracking); its dead-job log line then says `tracked`. */
  onFailure?: (job: Job, error: unknown) => void;
}

export class UnknownJobKindError extends Error {
  constructor(readonly kind: string) {
    super(`no handler registered for job kind "${kind}"`);
    this.name = "UnknownJobKindError";
  }
}

/** The running job an async context belongs to: how to fail it from outside its promise chain. */
const jobScope = new AsyncLocalStorage<{ escaped(err: unknown): void }>();

/**
 * For the process's uncaughtException/unhandledRejection handlers: when the error came from a
 * job's handler, fails that job (logged, retried or dead as usual) and answers true.
 */
export function failJobOfEscapedError(err: unknown): boolean {
  const scope = jobScope.getStore();
  if (!scope) return false;
  scope.escaped(err);
  return true;
}

interface InFlight {
  controller: AbortController;
  promise: Promise<void>;
}

export class JobWorker {
  readonly id: string;
  private readonly db: Db;
  private readonly handlers: Record<string, JobHandler>;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly recoverEveryMs: number;
  private readonly log: JobLogger;
  private readonly backoff: BackoffFn;
  private readonly onFailure: JobWorkerOptions["onFailure"];

  private state: "idle" | "started" | "stopping" = "idle";
  private readonly inFlight = new Map<number, InFlight>();
  private pollTimer: NodeJS.Timeout | undefined;
  private recoverTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;
  private stopping: Promise<void> | undefined;

  constructor(opts: JobWorkerOptions) {
    this.db = opts.db;
    this.handlers = opts.handlers;
    this.id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.pollMs = Math.max(1, opts.pollMs ?? 1000);
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
    this.leaseMs = Math.max(1, opts.leaseMs ?? 5 * 60 * 1000);
    this.recoverEveryMs = Math.max(1, opts.recoverEveryMs ?? Math.min(this.leaseMs / 2, 60_000));
    this.log = opts.log ?? silentLogger;
    this.onFailure = opts.onFailure;
    this.backoff = typeof opts.backoff === "function" ? opts.backoff : exponentialBackoff(opts.backoff);
  }

  /** Ids of the jobs this worker is running right now. */
  get running(): number[] {
    return [...this.inFlight.keys()];
  }

  /** Recovers abandoned jobs, then keeps claiming and running jobs until stop(). */
  async start(): Promise<void> {
    if (this.state !== "idle") return;
    this.state = "started";
    this.log.info({ worker: this.id, concurrency: this.concurrency }, "job worker started");
    await this.recover();
    if (this.state !== "started") return;
    this.recoverTimer = setInterval(() => void this.recover(), this.recoverEveryMs);
    this.wake();
  }

  /** Looks for ready jobs now instead of at the next poll (e.g. right after an enqueue). */
  wake(): void {
    if (this.state !== "started") return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.state === "started") {
        clearTimeout(this.pollTimer);
        this.pollTimer = setTimeout(() => this.wake(), this.pollMs);
      }
    });
  }

  /**
   * Stops claiming jobs and waits for the running ones to finish. With abortAfterMs, their
   * signals are aborted after that long (handlers that honour it then fail and are retried
   * later); jobs whose handler never returns are left to lease recovery.
   */
  stop(opts: { abortAfterMs?: number } = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === "idle" && this.inFlight.size === 0) return Promise.resolve();
    this.state = "stopping";
    clearTimeout(this.pollTimer);
    clearInterval(this.recoverTimer);
    this.pollTimer = this.recoverTimer = undefined;
    const abortTimer =
      opts.abortAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            for (const f of this.inFlight.values()) f.controller.abort(new Error("job worker is stopping"));
          }, opts.abortAfterMs);
    this.stopping = (async () => {
      await this.ticking;
      await this.idle();
      clearTimeout(abortTimer);
      this.state = "idle";
      this.stopping = undefined;
      this.log.info({ worker: this.id }, "job worker stopped");
    })();
    return this.stopping;
  }

  /** Claims ready jobs (up to the free concurrency) and runs them; resolves with how many ran. */
  async runOnce(): Promise<number> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const jobs = await claimJobs(this.db, this.id, free);
    await Promise.all(jobs.map((job) => this.launch(job)));
    return jobs.length;
  }

  /** Runs ready jobs until none is left (retries that are due at once included). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      if (n === 0) return total;
      total += n;
    }
  }

  /** Puts jobs abandoned by crashed workers back in the queue. */
  async recover(): Promise<void> {
    try {
      const jobs = await recoverExpiredLeases(this.db, this.leaseMs);
      for (const j of jobs) {
        this.log.warn(
          { worker: this.id, job: j.id, kind: j.kind, state: j.state, previousWorker: j.previous_worker },
          "recovered job with expired lease",
        );
      }
    } catch (err) {
      this.log.error({ worker: this.id, err }, "lease recovery failed");
    }
  }

  private async tick(): Promise<void> {
    do {
      this.tickAgain = false;
      if (this.state !== "started") return;
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) return; // a finishing job wakes us
      let jobs: Job[];
      try {
        jobs = await claimJobs(this.db, this.id, free);
      } catch (err) {
        this.log.error({ worker: this.id, err }, "claiming jobs failed");
        return;
      }
      // Claimed jobs are ours even if stop() was called meanwhile: run them.
      for (const job of jobs) void this.launch(job);
      if (jobs.length === free) this.tickAgain = true; // there may be more
    } while (this.tickAgain);
  }

  private launch(job: Job): Promise<void> {
    const controller = new AbortController();
    const promise = this.execute(job, controller.signal)
      .catch((err) => this.log.error({ worker: this.id, job: job.id, err }, "recording job outcome failed"))
      .finally(() => {
        this.inFlight.delete(job.id);
        if (this.inFlight.size === 0) {
          clearInterval(this.heartbeatTimer);
          this.heartbeatTimer = undefined;
        }
        this.wake();
      });
    this.inFlight.set(job.id, { controller, promise });
    if (!this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(1, this.leaseMs / 3));
    }
    return promise;
  }

  private async execute(job: Job, signal: AbortSignal): Promise<void> {
    const base = { worker: this.id, job: job.id, kind: job.kind, attempt: job.attempts };
    let failure: { error: unknown } | undefined;
    try {
      const handler = Object.hasOwn(this.handlers, job.kind) ? this.handlers[job.kind] : undefined;
      if (!handler) throw new UnknownJobKindError(job.kind);
      await runScoped(() => handler(job.payload, { job, attempt: job.attempts, signal }));
    } catch (error) {
      failure = { error };
    }
    if (!failure) {
      const ok = await completeJob(this.db, job, this.id);
      if (ok) this.log.info(base, "job completed");
      else this.log.warn(base, "job finished after its lease was taken over; result not recorded");
      return;
    }
    const delay = this.backoff(job.attempts);
    const state = await failJob(this.db, job, this.id, failure.error, delay);
    const info = { ...base, error: errorText(failure.error), ...(this.onFailure ? { tracked: true } : {}) };
    try {
      this.onFailure?.(job, failure.error);
    } catch {
      /* the hook's trouble is not the job's */
    }
    if (state === "dead") this.log.error(info, "job failed for the last time; dead");
    else if (state === "available") this.log.warn({ ...info, retryInMs: delay }, "job failed; will retry");
    else this.log.warn(info, "job failed after its lease was taken over; result not recorded");
  }

  private async heartbeat(): Promise<void> {
    try {
      await extendLeases(this.db, this.id, this.running);
    } catch (err) {
      this.log.error({ worker: this.id, err }, "renewing job leases failed");
    }
  }

  private async idle(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight.values()].map((f) => f.promise));
    }
  }
}

/**
 * Runs a handler in its own job scope; it fails with an error thrown synchronously, a
 * rejection, or an error escaping into the process from inside its context (see above).
 * An escape after the handler finished is only logged by the process handler.
 */
function runScoped(run: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err ?? new Error("job failed"));
    };
    jobScope.run({ escaped: fail }, () => {
      Promise.resolve()
        .then(run)
        .then(() => {
          if (settled) return;
          settled = true;
          resolve();
        }, fail);
    });
  });
}
