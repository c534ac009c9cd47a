// A project's event stream: session.created, session.landed, session.conflicted. Events are
// rows (written in the transaction of the change where there is one), so any process can
// serve them and clients can resume after a reconnect.
import type { Db } from "../db/db.ts";

export type ProjectEventType = "session.created" | "session.landed" | "session.conflicted";

export async function recordProjectEvent(
  db: Db,
  projectId: string,
  type: ProjectEventType,
  data: Record<string, unknown>,
) {
  await db
    .insertInto("project_events")
    .values({ project_id: projectId, type, data: JSON.stringify(data) })
    .execute();
}

export async function eventsAfter(db: Db, projectId: string, after: number, limit = 200) {
  const rows = await db
    .selectFrom("project_events")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, type: r.type, data: r.data, created_at: r.created_at.toISOString() }));
}
