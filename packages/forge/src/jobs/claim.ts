// The worker side of the job lifecycle, as single short statements or one short transaction:
// claim ready jobs (FOR UPDATE SKIP LOCKED, so concurrent workers never take the same job),
// record success or failure, extend leases of jobs still running, and return jobs whose
// worker vanished (lease expired) to the queue. No job handler ever runs in here.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { Job, JobState } from "../db/schema.ts";
import { errorText } from "./queue.ts";

/** Claims up to `limit` ready jobs for `workerId`: state running, attempts + 1. */
export async function claimJobs(db: Db, workerId: string, limit: number): Promise<Job[]> {
  if (limit < 1) return [];
  const jobs = await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM jobs
      WHERE state = 'available' AND run_at <= now()
      ORDER BY run_at, id
      LIMIT ${Math.floor(limit)}
      FOR UPDATE SKIP LOCKED`.execute(trx);
    if (rows.length === 0) return [];
    return trx
      .updateTable("jobs")
      .set({ state: "running", locked_by: workerId, locked_at: sql`now()`, attempts: sql`attempts + 1` })
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .returningAll()
      .execute();
  });
  return jobs.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || a.id - b.id);
}

/**
 * Marks a claimed job completed. Returns false when the job is no longer ours (its lease
 * expired and another worker took it over), in which case nothing is changed.
 */
export async function completeJob(db: Db, job: Job, workerId: string): Promise<boolean> {
  const res = await db
    .updateTable("jobs")
    .set({ state: "completed", finished_at: sql`now()`, last_error: null })
    .where("id", "=", job.id)
    .where("state", "=", "running")
    .where("locked_by", "=", workerId)
    .where("attempts", "=", job.attempts)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Records a failed attempt: back to available at now + retryDelayMs, or dead when the job
 * has used all its attempts. Returns the new state, or null when the job is no longer ours.
 */
export async function failJob(
  db: Db,
  job: Job,
  workerId: string,
  error: unknown,
  retryDelayMs: number,
): Promise<JobState | null> {
  const delay = Math.max(0, Math.floor(retryDelayMs));
  const { rows } = await sql<{ state: JobState }>`
    UPDATE jobs SET
      state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'available' END,
      run_at = CASE WHEN attempts >= max_attempts THEN run_at
                    ELSE now() + ${delay}::double precision * interval '1 millisecond' END,
      finished_at = CASE WHEN attempts >= max_attempts THEN now() ELSE NULL END,
      locked_by = CASE WHEN attempts >= max_attempts THEN locked_by ELSE NULL END,
      locked_at = CASE WHEN attempts >= max_attempts THEN locked_at ELSE NULL END,
      last_error = ${errorText(error)}
    WHERE id = ${job.id} AND state = 'running' AND locked_by = ${workerId} AND attempts = ${job.attempts}
    RETURNING state`.execute(db);
  return rows[0]?.state ?? null;
}

/** Refreshes locked_at of jobs this worker is still running, so their lease does not expire. */
export async function extendLeases(db: Db, workerId: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("jobs")
    .set({ locked_at: sql`now()` })
    .where("id", "in", ids)
    .where("state", "=", "running")
    .where("locked_by", "=", workerId)
    .execute();
}

export interface RecoveredJob {
  id: number;
  kind: string;
  state: JobState;
  previous_worker: string | null;
}

/**
 * Returns jobs left running by a worker that stopped renewing its lease (a crashed process)
 * to the queue, ready now; a job whose lost attempt was its last goes dead instead.
 */
export async function recoverExpiredLeases(db: Db, leaseMs: number): Promise<RecoveredJob[]> {
  const { rows } = await sql<RecoveredJob>`
    WITH expired AS (
      SELECT id, locked_by FROM jobs
      WHERE state = 'running' AND locked_at < now() - ${leaseMs}::double precision * interval '1 millisecond'
      FOR UPDATE SKIP LOCKED
    )
    UPDATE jobs j SET
      state = CASE WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE 'available' END,
      run_at = CASE WHEN j.attempts >= j.max_attempts THEN j.run_at ELSE now() END,
      finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() ELSE NULL END,
      locked_by = NULL,
      locked_at = NULL,
      last_error = 'lease expired: worker ' || coalesce(e.locked_by, '?') || ' stopped during attempt ' || j.attempts
    FROM expired e
    WHERE j.id = e.id
    RETURNING j.id, j.kind, j.state, e.locked_by AS previous_worker`.execute(db);
  return rows;
}
