// A change's summary for its Open Graph card: the stored one, or none yet, in which case the
// summary job is enqueued (once: coalesced by a unique key) and the card is drawn without it.
// Its hash changes when the summary arrives, so shared links get the new picture. Nothing
// here waits on the LLM. Private projects' code is sent only with MICELIO_CHANGE_SUMMARIES=all;
// after a failure the change is asked again at most every RETRY_AFTER_MS, MAX_FAILURES times.
import type { Forge } from "../http/context.ts";
import { enqueue } from "../jobs/index.ts";
import type { ChangeRange } from "./change-range.ts";
import { SUMMARY_JOB, type SummaryJob } from "./summarize-job.ts";

export const RETRY_AFTER_MS = 60 * 60 * 1000;
export const MAX_FAILURES = 3;

export function summariesOn(forge: Forge, project: { visibility: string }): boolean {
  const mode = forge.config.changeSummaries;
  if (!forge.config.llm || mode === "off") return false;
  return mode === "all" || project.visibility === "public";
}

export async function changeSummary(
  forge: Forge,
  project: { id: string; visibility: string },
  range: ChangeRange,
  goal?: string | null,
): Promise<string | undefined> {
  if (!summariesOn(forge, project)) return undefined;
  const base = range.base ?? "";
  const row = await forge.db
    .selectFrom("change_summaries")
    .select(["summary", "failures", "updated_at"])
    .where("project_id", "=", project.id)
    .where("base_sha", "=", base)
    .where("head_sha", "=", range.head)
    .executeTakeFirst();
  if (row?.summary) return row.summary;
  const due =
    !row ||
    (row.failures < MAX_FAILURES &&
      Date.now() - new Date(row.updated_at as unknown as string | Date).getTime() >= RETRY_AFTER_MS);
  if (due) {
    const job: SummaryJob = { projectId: project.id, base, head: range.head, goal: goal ?? null };
    await enqueue(forge.db, SUMMARY_JOB, job as unknown as Record<string, unknown>, {
      uniqueKey: `${SUMMARY_JOB}:${project.id}:${base}:${range.head}`,
      maxAttempts: 1,
    });
  }
  return undefined;
}
