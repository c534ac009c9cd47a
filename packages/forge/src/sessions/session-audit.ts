// The audit entry of a person's decision on a session (approve, reject, and a land decided in
// a batch review): the same entry whether it was decided alone (API, session page) or with
// others (trust/review-batch.ts, which adds batch: true).
import type { Actor } from "../audit/audit.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";

export type SessionDecision = "session.approve" | "session.reject" | "session.land";

export function auditSessionDecision(
  db: Db,
  actor: Actor,
  where: { projectId: string; owner: string; project: string; id: string },
  action: SessionDecision,
  data: Record<string, unknown> = {},
) {
  return recordAudit(db, actor, {
    action,
    targetType: "session",
    targetId: where.id,
    target: `${where.owner}/${where.project}/sessions/${where.id}`,
    projectId: where.projectId,
    data,
  });
}
