// The producer and administrator side of the job queue: enqueue jobs (optionally unique),
// list and count them, bring dead jobs back, and prune old completed ones. Every function
// takes a Db, which may also be a Kysely transaction, so a job can be enqueued atomically
// with the change that calls for it.
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { Job, JobState } from "../db/schema.ts";

export const JOB_STATES: readonly JobState[] = ["available", "running", "completed", "dead"];

export interface EnqueueOptions {
  /** Earliest time the job may run. */
  runAt?: Date;
  /** Run no earlier than this many ms from now (ignored when runAt is given). */
  delayMs?: number;
  /**
   * While a job with this key is available or running, enqueueing another one returns the
   * existing job's id instead of adding a job.
   */
  uniqueKey?: string;
  /**
   * "active" (default): the key is unique among available and running jobs only.
   * "all": a completed or dead job still in the table with the key also counts, so the key
   * runs at most once until it is pruned (used by cron, one job per slot).
   */
  uniqueScope?: "active" | "all";
  /** Attempts before the job goes dead (default: the column default, 5). */
  maxAttempts?: number;
}

const MAX_ERROR_LENGTH = 10_000;

/** Adds a job and returns its id, or the id of the existing job with the same unique key. */
export async function enqueue(
  db: Db,
  kind: string,
  payload: Record<string, unknown> = {},
  opts: EnqueueOptions = {},
): Promise<number> {
  return (await enqueueUnless(db, kind, payload, opts)) as number;
}

/**
 * enqueue(), except that no job is added while `skipIf` (an SQL condition) holds, checked in
 * the insert's own statement: a job that records its result and then completes cannot be
 * enqueued again by a caller that read "no result" just before (null when skipped).
 */
export async function enqueueUnless(
  db: Db,
  kind: string,
  payload: Record<string, unknown>,
  opts: EnqueueOptions,
  skipIf?: RawBuilder<unknown>,
): Promise<number | null> {
  if (!kind) throw new Error("job kind must not be empty");
  if (opts.maxAttempts !== undefined && !(Number.isInteger(opts.maxAttempts) && opts.maxAttempts >= 1)) {
    throw new Error(`maxAttempts must be a positive integer, got ${opts.maxAttempts}`);
  }
  const columns = [sql`kind`, sql`payload`, sql`run_at`, sql`unique_key`];
  const values = [
    sql`${kind}::text`,
    sql`${JSON.stringify(payload)}::jsonb`,
    runAtExpr(opts),
    sql`${opts.uniqueKey ?? null}::text`,
  ];
  if (opts.maxAttempts !== undefined) {
    columns.push(sql`max_attempts`);
    values.push(sql`${opts.maxAttempts}::int`);
  }
  const cols = sql.join(columns);
  const vals = sql.join(values);

  if (opts.uniqueKey === undefined) {
    if (skipIf) throw new Error("enqueueUnless needs a unique key");
    const { rows } = await sql<{
      id: number;
    }>`INSERT INTO jobs (${cols}) VALUES (${vals}) RETURNING id`.execute(db);
    return rows[0].id;
  }

  const key = opts.uniqueKey;
  const all = opts.uniqueScope === "all";
  const conditions = [
    ...(all
      ? [sql`NOT EXISTS (SELECT 1 FROM jobs WHERE unique_key = ${key} AND state IN ('completed', 'dead'))`]
      : []),
    ...(skipIf ? [sql`NOT (${skipIf})`] : []),
  ];
  const guard = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const existing = all ? sql`` : sql`AND state IN ('available', 'running')`;
  // The ON CONFLICT target names the partial unique index jobs_unique_key. The fallback
  // SELECT sees the statement's snapshot, so when the conflicting job committed (or
  // finished) in between, it can come back empty: then we simply try again.
  for (let i = 0; i < 10; i++) {
    const { rows } = await sql<{ id: number }>`
      WITH ins AS (
        INSERT INTO jobs (${cols}) SELECT ${vals} ${guard}
        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running')
        DO NOTHING
        RETURNING id
      )
      SELECT id FROM ins
      UNION ALL
      (SELECT id FROM jobs WHERE unique_key = ${key} ${existing} AND NOT EXISTS (SELECT 1 FROM ins)
       ORDER BY id DESC LIMIT 1)
      LIMIT 1`.execute(db);
    if (rows.length > 0) return rows[0].id;
    if (skipIf) {
      const { rows: skip } = await sql<{ skip: boolean }>`SELECT (${skipIf}) AS skip`.execute(db);
      if (skip[0]?.skip) return null;
    }
  }
  throw new Error(`could not enqueue unique job ${JSON.stringify(key)}: it keeps changing state`);
}

function runAtExpr(opts: EnqueueOptions) {
  if (opts.runAt) return sql`${opts.runAt.toISOString()}::timestamptz`;
  if (opts.delayMs && opts.delayMs > 0)
    return sql`now() + ${opts.delayMs}::double precision * interval '1 millisecond'`;
  return sql`now()`;
}

export interface ListJobsOptions {
  state?: JobState;
  kind?: string;
  /** Default 50, at most 1000. */
  limit?: number;
  offset?: number;
}

/** Jobs, newest first. */
export async function listJobs(db: Db, opts: ListJobsOptions = {}): Promise<Job[]> {
  let q = db.selectFrom("jobs").selectAll();
  if (opts.state) q = q.where("state", "=", opts.state);
  if (opts.kind) q = q.where("kind", "=", opts.kind);
  const limit = Math.min(1000, Math.max(1, Math.floor(opts.limit ?? 50)));
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  return q.orderBy("id", "desc").limit(limit).offset(offset).execute();
}

/** How many jobs are in each state (every state present, zero when none). */
export async function countByState(db: Db): Promise<Record<JobState, number>> {
  const rows = await db
    .selectFrom("jobs")
    .select(["state", sql<number>`count(*)::int`.as("n")])
    .groupBy("state")
    .execute();
  const counts = { available: 0, running: 0, completed: 0, dead: 0 } as Record<JobState, number>;
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}

export async function getJob(db: Db, id: number): Promise<Job | undefined> {
  return db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Administrator action: makes a dead job available again with its attempts reset. Returns
 * false when the job is not dead (or gone), or when another job with its unique key is
 * already queued.
 */
export async function retryDead(db: Db, id: number): Promise<boolean> {
  try {
    const res = await sql`
      UPDATE jobs j SET state = 'available', attempts = 0, run_at = now(), finished_at = NULL,
        locked_by = NULL, locked_at = NULL
      WHERE j.id = ${id} AND j.state = 'dead'
        AND (j.unique_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs o WHERE o.unique_key = j.unique_key AND o.state IN ('available', 'running')))`.execute(
      db,
    );
    return Number(res.numAffectedRows ?? 0) > 0;
  } catch (err) {
    if ((err as { code?: string }).code === "23505") return false; // a unique twin appeared meanwhile
    throw err;
  }
}

/** Deletes completed jobs that finished before `before`; returns how many. */
export async function deleteCompletedOlderThan(db: Db, before: Date): Promise<number> {
  const res = await db
    .deleteFrom("jobs")
    .where("state", "=", "completed")
    .where("finished_at", "<", before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Error text as stored in last_error. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
