// A change's summary for its Open Graph card: the stored one, or none yet, in which case the
// summary job is enqueued (coalesced by a unique key; within the hourly budget) and the card
// is drawn without it. The card's hash changes when the summary arrives, so shared links get
// the new picture. Nothing here waits on the LLM. Which changes may be sent, and when again
// after a failure: summary-policy.ts. Summaries are stored by the trees at both ends of the
// change (change-range.ts summaryKey): a session and its landing share one when the landing
// did not have to replay the change.
import type { Forge } from "../http/context.ts";
import { enqueueUnless } from "../jobs/index.ts";
import { type ChangeRange, summaryKey } from "./change-range.ts";
import { SUMMARY_JOB, type SummaryJob } from "./summarize-job.ts";
import { attemptDue, attemptNotDue, attemptsThisHour, summariesOn, summaryRow } from "./summary-policy.ts";

export interface StoredSummary {
  text: string;
  /** The model that wrote it. */
  model: string | null;
}

export async function changeSummary(
  forge: Forge,
  project: { id: string; visibility: string },
  range: ChangeRange,
  goal?: string | null,
): Promise<StoredSummary | undefined> {
  if (!summariesOn(forge.config, project) || !forge.repos.exists(project.id)) return undefined;
  const key = await summaryKey(forge.repos.dir(project.id), range);
  const row = await summaryRow(forge.db, project.id, key.base, key.head);
  if (row?.summary) return { text: row.summary, model: row.model };
  if (!attemptDue(row)) return undefined;
  if ((await attemptsThisHour(forge.db, SUMMARY_JOB)) >= forge.config.changeSummaries.perHour)
    return undefined;
  const job: SummaryJob = {
    projectId: project.id,
    base: range.base ?? "",
    head: range.head,
    goal: goal ?? null,
  };
  await enqueueUnless(
    forge.db,
    SUMMARY_JOB,
    job as unknown as Record<string, unknown>,
    { uniqueKey: `${SUMMARY_JOB}:${project.id}:${key.base}:${key.head}`, maxAttempts: 1 },
    attemptNotDue(project.id, key.base, key.head),
  );
  return undefined;
}
