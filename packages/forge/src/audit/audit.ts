// The audit log: who did what to which target, from where. Written with the same
// transaction as the change it records, so a change and its entry land or fail together.
// Read back filtered by actor, action (exact, or a prefix ending in *), target (a part of
// it) and date range, a page at a time or all at once as JSON lines (audit-export.ts).
import type { Kysely } from "kysely";
import { sql } from "kysely";
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
  /** An action (`project.create`), or a prefix ending in `*` (`project.*`). */
  action?: string;
  /** The actor's handle; `-` for entries without one (failed sign-ins, abuse flags). */
  actor?: string;
  /** A part of the target's name (case-insensitive). */
  target?: string;
  /** From this instant (inclusive). */
  from?: Date;
  /** Up to this instant (exclusive). */
  to?: Date;
  before?: number;
  limit?: number;
}

/** `%term%` for ILIKE, with the wildcard characters of the term matched literally. */
const like = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

function filtered(db: Kysely<Database>, q: AuditQuery) {
  let query = db.selectFrom("audit_log").selectAll();
  if (q.projectId) query = query.where("project_id", "=", q.projectId);
  if (q.action?.endsWith("*")) {
    const prefix = q.action.slice(0, -1);
    query = query.where(sql`left(action, ${prefix.length})`, "=", prefix);
  } else if (q.action) query = query.where("action", "=", q.action);
  if (q.actor === "-") query = query.where("actor", "=", "");
  else if (q.actor) query = query.where(sql`lower(actor)`, "=", q.actor.toLowerCase());
  if (q.target) query = query.where("target", "ilike", like(q.target));
  if (q.from) query = query.where("created_at", ">=", q.from);
  if (q.to) query = query.where("created_at", "<", q.to);
  if (q.before) query = query.where("id", "<", q.before);
  return query;
}

type AuditRow = Awaited<ReturnType<ReturnType<typeof filtered>["execute"]>>[number];

export function auditJson(r: AuditRow) {
  return {
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
  };
}
export type AuditEntry = ReturnType<typeof auditJson>;

export async function listAudit(db: Kysely<Database>, q: AuditQuery): Promise<AuditEntry[]> {
  const rows = await filtered(db, q)
    .orderBy("id", "desc")
    .limit(Math.min(q.limit ?? 50, 1000))
    .execute();
  return rows.map(auditJson);
}
