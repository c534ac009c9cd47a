// The stored summary of a session's change (its base to its commit), for the session page and
// the session's JSON: read only, never asked for here (the card asks, change-summary.ts).
import type { Forge } from "../http/context.ts";
import { sessionCommit } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { summaryKey } from "./change-range.ts";

export interface StoredSummary {
  text: string;
  /** The model that wrote it. */
  model: string | null;
}

export async function sessionSummary(
  forge: Pick<Forge, "db" | "repos" | "config" | "log">,
  projectId: string,
  s: SessionRow,
): Promise<StoredSummary | null> {
  // No LLM, no summaries to show (and no git to run on every session view).
  if (!forge.config.llm || !forge.repos.exists(projectId)) return null;
  return stored(forge, projectId, s).catch((err) => {
    forge.log.warn({ err, session: s.id }, "stored change summary unreadable");
    return null;
  });
}

async function stored(forge: Pick<Forge, "db" | "repos">, projectId: string, s: SessionRow) {
  const dir = forge.repos.dir(projectId);
  const head = await sessionCommit(dir, s.id);
  if (!head) return null;
  const key = await summaryKey(dir, { base: s.base_commit, head });
  const row = await forge.db
    .selectFrom("change_summaries")
    .select(["summary", "model"])
    .where("project_id", "=", projectId)
    .where("base_sha", "=", key.base)
    .where("head_sha", "=", key.head)
    .executeTakeFirst();
  return row?.summary ? { text: row.summary, model: row.model } : null;
}
