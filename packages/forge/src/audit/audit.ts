// The audit log: who did what to which target, from where. Written with the same
// transaction as the change it records, so a change and its entry land or fail together.
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

export interface Actor {
  user: { id: string; handle: string } | null;
  ip: string;
}

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  target?: string;
  projectId?: string | null;
  data?: Record<string, unknown>;
}

export async function recordAudit(trx: Kysely<Database>, actor: Actor, entry: AuditInput): Promise<void> {
  await trx
    .insertInto("audit_log")
    .values({
      actor_id: actor.user?.id ?? null,
      actor: actor.user?.handle ?? "",
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      target: entry.target ?? "",
      project_id: entry.projectId ?? null,
      ip: actor.ip,
      data: JSON.stringify(entry.data ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  projectId?: string;
  action?: string;
  before?: number;
  limit?: number;
}

export async function listAudit(db: Kysely<Database>, q: AuditQuery) {
  let query = db
    .selectFrom("audit_log")
    .selectAll()
    .orderBy("id", "desc")
    .limit(Math.min(q.limit ?? 50, 200));
  if (q.projectId) query = query.where("project_id", "=", q.projectId);
  if (q.action) query = query.where("action", "=", q.action);
  if (q.before) query = query.where("id", "<", q.before);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    actor: r.actor || null,
    action: r.action,
    target_type: r.target_type,
    target_id: r.target_id,
    target: r.target,
    project_id: r.project_id,
    ip: r.ip,
    data: r.data,
    created_at: r.created_at.toISOString(),
  }));
}
