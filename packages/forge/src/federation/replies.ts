// Remote replies to a project's published notes (they arrive in inbox-notes.ts), moderated by the
// project's administrators: listed by state, approved (then shown on the session page among its
// comments, marked as remote) or rejected (kept, so the same note is not queued again). Private
// projects have no federation: their replies are neither listed nor shown (404). Each decision
// is audited.
import type { Selectable } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { FederationRepliesTable } from "../db/schema.ts";
import { notFound } from "../errors/app-error.ts";
import { getProject } from "../projects/projects-service.ts";

export const REPLY_STATES = ["pending", "approved", "rejected"] as const;
export type ReplyState = (typeof REPLY_STATES)[number];

export interface RemoteReply {
  id: number;
  session_id: string;
  author: string;
  actor: string;
  url: string | null;
  content: string;
  state: ReplyState;
  moderated_by: string | null;
  created_at: string;
  updated_at: string;
}

export function replyJson(r: Selectable<FederationRepliesTable>): RemoteReply {
  return {
    id: Number(r.id),
    session_id: r.session_id,
    author: r.author,
    actor: r.actor_uri,
    url: r.url,
    content: r.content,
    state: r.state,
    moderated_by: r.moderated_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** A public project the viewer administers (404 for a private one: it is not federated). */
async function moderated(db: Db, viewer: Viewer, owner: string, project: string) {
  const { project: p } = await getProject(db, viewer, owner, project, "admin");
  if (p.visibility !== "public") throw notFound("Private projects are not federated");
  return p;
}

/** A project's replies in one state, oldest first (moderation works through the queue in order). */
export async function listReplies(
  db: Db,
  viewer: Viewer,
  owner: string,
  project: string,
  opts: { state?: ReplyState; session?: string; limit?: number } = {},
) {
  const p = await moderated(db, viewer, owner, project);
  let q = db
    .selectFrom("federation_replies")
    .selectAll()
    .where("project_id", "=", p.id)
    .where("state", "=", opts.state ?? "pending");
  if (opts.session) q = q.where("session_id", "=", opts.session);
  const rows = await q
    .orderBy("id")
    .limit(Math.min(Math.max(opts.limit ?? 100, 1), 200))
    .execute();
  return rows.map(replyJson);
}

/** Approves or rejects a reply of the project (404 when it is not one of its replies). */
export async function moderateReply(
  db: Db,
  viewer: Viewer,
  at: { owner: string; project: string; id: number },
  decision: "approved" | "rejected",
) {
  const p = await moderated(db, viewer, at.owner, at.project);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("federation_replies")
      .set({ state: decision, moderated_by: viewer.user?.handle ?? null, moderated_at: new Date() })
      .where("id", "=", at.id)
      .where("project_id", "=", p.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound("Reply not found");
    await recordAudit(trx, viewer, {
      action: decision === "approved" ? "federation.reply.approve" : "federation.reply.reject",
      targetType: "remote-reply",
      targetId: String(row.id),
      target: row.author,
      projectId: p.id,
      data: { session: row.session_id, note: row.note_id },
    });
    return replyJson(row);
  });
}

/**
 * What the session page shows: the approved replies to everyone; the pending ones too when the
 * viewer administers the project. Nothing for a private project.
 */
export async function sessionReplies(
  db: Db,
  p: { visibility: string },
  sessionId: string,
  admin: boolean,
): Promise<RemoteReply[]> {
  if (p.visibility !== "public") return [];
  const rows = await db
    .selectFrom("federation_replies")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("state", "in", admin ? ["approved", "pending"] : ["approved"])
    .orderBy("id")
    .limit(200)
    .execute();
  return rows.map(replyJson);
}
