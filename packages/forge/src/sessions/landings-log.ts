// The trunk's landing log: position, commit, and the session behind it. A fork's inherited
// landings (social/forks-landings.ts) point at its parent's sessions: `session_project` names
// the project holding each session (null when the viewer may not read it).
import type { Viewer } from "../accounts/viewer.ts";
import { staleness } from "../attestation/staleness.ts";
import type { Db } from "../db/db.ts";
import { projectNames } from "../projects/project-names.ts";

export async function listLandings(
  db: Db,
  projectId: string,
  q: { before?: number; limit?: number; commit?: string } = {},
  viewer?: Viewer,
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
      "s.generated_at",
      "s.submitted_at",
      "s.project_id as session_project",
    ])
    .where("l.project_id", "=", projectId);
  if (q.before) query = query.where("l.position", "<", q.before);
  if (q.commit) query = query.where("l.commit_sha", "=", q.commit);
  const rows = await query
    .orderBy("l.position", "desc")
    .limit(Math.min(q.limit ?? 50, 200))
    .execute();
  const names = await projectNames(
    db,
    projectId,
    rows.flatMap((r) => (r.session_project ? [r.session_project] : [])),
    viewer,
  );
  return rows.map((r) => ({
    position: r.position,
    commit: r.commit_sha,
    paths: r.paths_count,
    landed_at: r.created_at.toISOString(),
    session: r.session_id,
    session_project: r.session_project ? (names.get(r.session_project) ?? null) : null,
    goal: r.goal,
    author: r.author_handle,
    agent: r.agent_name ? { name: r.agent_name, model: r.agent_model } : null,
    origin: r.origin,
    // Submitted over a day after it was generated (attestation/staleness.ts); null without a session.
    stale: r.session_id ? staleness(r).stale : null,
  }));
}
