// The background job that asks the LLM for a change's summary ("change.summarize"): reads the
// change through git, sends it (summary-prompt.ts), cleans the answer and stores it in
// change_summaries. A failure (timeout, HTTP error, unusable answer) is counted on the row and
// logged with only its reason (never the request, whose headers hold the API key), and the job
// ends: summary-policy.ts decides when to ask again, so a failing endpoint is not hammered.
import { sql } from "kysely";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import type { JobHandler, JobLogger } from "../jobs/index.ts";
import { chatCompletion } from "../llm/chat.ts";
import { layerFor } from "../repos/git-layer/git-repos.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { changeText, type SummaryKey, summaryKey } from "./change-range.ts";
import { attemptDue, summariesOn, summaryRow } from "./summary-policy.ts";
import { summaryPrompt } from "./summary-prompt.ts";
import { cleanSummary } from "./summary-text.ts";

export const SUMMARY_JOB = "change.summarize";
/** The patch is cut at this size before it is sent. */
export const MAX_PATCH_BYTES = 24 * 1024;

export interface SummaryJob {
  projectId: string;
  /** "" for a root commit. */
  base: string;
  head: string;
  goal?: string | null;
}

/** Stores a summary under its key, or counts a failed attempt. */
async function record(
  db: Db,
  projectId: string,
  key: SummaryKey,
  summary: string | null,
  model: string | null,
) {
  const failed = summary === null;
  await db
    .insertInto("change_summaries")
    .values({
      project_id: projectId,
      base_sha: key.base,
      head_sha: key.head,
      summary,
      model,
      failures: failed ? 1 : 0,
    })
    .onConflict((oc) =>
      oc.columns(["project_id", "base_sha", "head_sha"]).doUpdateSet({
        summary: (eb) => (failed ? eb.ref("change_summaries.summary") : eb.val(summary)),
        model: (eb) => (failed ? eb.ref("change_summaries.model") : eb.val(model)),
        failures: failed ? sql`change_summaries.failures + 1` : sql`0`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

const SHA = /^[0-9a-f]{40,64}$/;
/** `sha` names a commit of the repository (itself, not a tag peeled to one). */
const isCommit = async (dir: string, sha: string) =>
  SHA.test(sha) &&
  (await layerFor(dir)
    .info(`${sha}^{commit}`)
    .then(
      (found) => found?.oid === sha,
      () => false,
    ));

export function summaryJobHandlers(deps: {
  db: Db;
  repos: RepoStore;
  config: Pick<Config, "llm" | "changeSummaries">;
  log: JobLogger;
}): Record<string, JobHandler> {
  return {
    [SUMMARY_JOB]: async (job: SummaryJob, ctx) => {
      const { db, repos, config, log } = deps;
      const llm = config.llm;
      if (!llm || !repos.exists(job.projectId)) return; // switched off, or the project deleted
      const project = await db
        .selectFrom("projects as p")
        .innerJoin("accounts as a", "a.id", "p.owner_id")
        .select(["p.handle", "p.visibility", "a.handle as owner"])
        .where("p.id", "=", job.projectId)
        .executeTakeFirst();
      // Checked again here: the project may have gone private, or the setting changed, since.
      if (!project || !summariesOn(config, project)) return;
      const dir = repos.dir(job.projectId);
      // Gone meanwhile (a session's commit replaced): its card no longer asks for it either.
      if (!(await isCommit(dir, job.head)) || (job.base && !(await isCommit(dir, job.base)))) return;
      const range = { base: job.base || null, head: job.head };
      const key = await summaryKey(dir, range);
      if (!attemptDue(await summaryRow(db, job.projectId, key.base, key.head))) return;
      try {
        const text = await changeText(dir, range, MAX_PATCH_BYTES);
        const answer = await chatCompletion(
          llm,
          summaryPrompt({ project: `${project.owner}/${project.handle}`, goal: job.goal, ...text }),
          { temperature: 0.2, maxTokens: 120, signal: ctx.signal },
        );
        const summary = cleanSummary(answer);
        await record(db, job.projectId, key, summary, llm.model);
        log.info({ project: job.projectId, head: job.head }, "change summarized");
      } catch (err) {
        // Stopped by a shutdown: not the endpoint's failure; the next view asks again.
        if (ctx.signal.aborted) return;
        await record(db, job.projectId, key, null, null);
        log.warn(
          { project: job.projectId, head: job.head, reason: (err as Error).message },
          "no change summary",
        );
      }
    },
  };
}
