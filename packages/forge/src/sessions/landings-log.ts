// The trunk's landing log: position, commit, and the session behind it.
import type { Db } from "../db/db.ts";

export async function listLandings(
  db: Db,
  projectId: string,
  q: { before?: number; limit?: number; commit?: string } = {},
) {
  let query = db
    .selectFrom("landings as l")
    .leftJoin("sessions as s", "s.id", "l.session_id")
    .select([
      "l.position",
      "l.commit_sha",
      "l.paths_count",
      "l.created_at",
      "l.session_id",
      "s.goal",
      "s.author_handle",
      "s.agent_name",
      "s.agent_model",
      "s.origin",
    ])
    .where("l.project_id", "=", projectId);
  if (q.before) query = query.where("l.position", "<", q.before);
  if (q.commit) query = query.where("l.commit_sha", "=", q.commit);
  const rows = await query
    .orderBy("l.position", "desc")
    .limit(Math.min(q.limit ?? 50, 200))
    .execute();
  return rows.map((r) => ({
    position: r.position,
    commit: r.commit_sha,
    paths: r.paths_count,
    landed_at: r.created_at.toISOString(),
    session: r.session_id,
    goal: r.goal,
    author: r.author_handle,
    agent: r.agent_name ? { name: r.agent_name, model: r.agent_model } : null,
    origin: r.origin,
  }));
}
