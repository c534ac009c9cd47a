// When a change may be summarized, shared by the page side (change-summary.ts) and the job
// (summarize-job.ts), which checks again when it runs: the project may have gone private or
// the setting changed since the job was queued. A change is asked for when it has no row yet,
// or when its last attempt failed more than RETRY_AFTER_MS ago and fewer than MAX_ATTEMPTS
// attempts were made; across the forge at most `perHour` attempts start in an hour.
import { sql } from "kysely";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/db.ts";

export const RETRY_AFTER_MS = 60 * 60 * 1000;
export const MAX_ATTEMPTS = 3;

/** Whether this project's code may be sent to the configured LLM. */
export function summariesOn(
  config: Pick<Config, "llm" | "changeSummaries">,
  project: { visibility: string },
): boolean {
  const mode = config.changeSummaries.mode;
  if (!config.llm || mode === "off") return false;
  return mode === "all" || project.visibility === "public";
}

export interface SummaryRow {
  summary: string | null;
  model: string | null;
  failures: number;
  updated_at: Date | string;
}

export function summaryRow(db: Db, projectId: string, base: string, head: string) {
  return db
    .selectFrom("change_summaries")
    .select(["summary", "model", "failures", "updated_at"])
    .where("project_id", "=", projectId)
    .where("base_sha", "=", base)
    .where("head_sha", "=", head)
    .executeTakeFirst() as Promise<SummaryRow | undefined>;
}

/** No summary yet, and no attempt is due to wait or was the last one allowed. */
export function attemptDue(row: Omit<SummaryRow, "model"> | undefined, now = Date.now()): boolean {
  if (!row) return true;
  if (row.summary) return false;
  return row.failures < MAX_ATTEMPTS && now - new Date(row.updated_at).getTime() >= RETRY_AFTER_MS;
}

/**
 * attemptDue's opposite in SQL, for the enqueue itself: the job may have stored its answer (or
 * failure) after the page read the row, and then it must not be asked again.
 */
export const attemptNotDue = (projectId: string, base: string, head: string) => sql`EXISTS (
  SELECT 1 FROM change_summaries
  WHERE project_id = ${projectId} AND base_sha = ${base} AND head_sha = ${head}
    AND (summary IS NOT NULL OR failures >= ${MAX_ATTEMPTS}
         OR updated_at > now() - ${RETRY_AFTER_MS}::double precision * interval '1 millisecond'))`;

/** Attempts started in the last hour: rows written (each attempt writes one) and jobs waiting. */
export async function attemptsThisHour(db: Db, kind: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    SELECT (SELECT count(*) FROM change_summaries WHERE updated_at > now() - interval '1 hour')
         + (SELECT count(*) FROM jobs WHERE kind = ${kind} AND state IN ('available', 'running')) AS n
  `.execute(db);
  return Number(rows[0]?.n ?? 0);
}
