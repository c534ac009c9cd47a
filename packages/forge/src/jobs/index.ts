// The job queue's public API: enqueue and administer jobs, run them with JobWorker, and
// schedule recurring ones with scheduleCron. PostgreSQL-backed; runs on PGlite as well.
export {
  type BackoffFn,
  type BackoffOptions,
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
  exponentialBackoff,
} from "./backoff.ts";
export {
  claimJobs,
  completeJob,
  extendLeases,
  failJob,
  type RecoveredJob,
  recoverExpiredLeases,
} from "./claim.ts";
export { type CronSchedule, cronSlot, cronSlotKey, scheduleCron } from "./cron.ts";
export {
  countByState,
  deleteCompletedOlderThan,
  type EnqueueOptions,
  enqueue,
  enqueueUnless,
  getJob,
  JOB_STATES,
  type ListJobsOptions,
  listJobs,
  retryDead,
} from "./queue.ts";
export type { Job, JobContext, JobHandler, JobLogger, JobState } from "./types.ts";
export { failJobOfEscapedError, JobWorker, type JobWorkerOptions, UnknownJobKindError } from "./worker.ts";
