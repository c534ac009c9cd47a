// Types shared by the job queue modules: handlers, their context, and the minimal logger
// (pino-compatible) that the worker and the cron scheduler report to.
import type { Job } from "../db/schema.ts";

export type { Job, JobState } from "../db/schema.ts";

/** A minimal structured logger; a pino logger fits. */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: JobLogger = {
  info() {},
  warn() {},
  error() {},
};

export interface JobContext {
  /** The job row as claimed (state running, attempts already counting this attempt). */
  job: Job;
  /** 1 for the first run, 2 for the first retry, and so on. */
  attempt: number;
  /** Aborted when the worker is asked to give up on in-flight jobs (see JobWorker.stop). */
  signal: AbortSignal;
}

/** Runs one job. Throwing (or rejecting) fails the attempt; the job is retried or goes dead. */
export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<void>;
