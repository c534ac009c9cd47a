// Webhooks of a project (its administrators) or of an organization (its owners): create,
// list, change, delete, each audited. The URL is checked by the outbound guard when the hook is
// saved (and again at every delivery: DNS may change in between); the secret is sealed by the
// instance's secret box and never shown again.
import { randomBytes } from "node:crypto";
import { z } from "@hono/zod-openapi";
import { ulid } from "@micelio/core/ulid";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";
import { invalid, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { getOrg, requireOrgOwner } from "../orgs/orgs-service.ts";
import { checkOutboundUrl, type OutboundDeps, OutboundRefused } from "../outbound/outbound-client.ts";
import { getProject } from "../projects/projects-service.ts";
import { HOOK_EVENTS } from "./hook-events.ts";

export const FORMATS = ["json", "slack", "discord"] as const;

export const hookInputSchema = z.object({
  url: z.string().min(1).max(2000),
  secret: z.string().min(8).max(200).optional(),
  events: z.array(z.enum(HOOK_EVENTS)).min(1).max(HOOK_EVENTS.length),
  format: z.enum(FORMATS).default("json"),
  active: z.boolean().default(true),
});
export const hookPatchSchema = hookInputSchema
  .partial()
  .extend({ secret: z.string().min(8).max(200).optional() });

/** Where a hook belongs: a project (owner/name) or an organization. */
export type HookScope = { kind: "project"; owner: string; project: string } | { kind: "org"; org: string };

export interface HookDeps {
  db: Db;
  secrets: SecretBox;
  outbound?: OutboundDeps;
}

async function resolveScope(db: Db, viewer: Viewer, scope: HookScope) {
  if (scope.kind === "project") {
    const { project } = await getProject(db, viewer, scope.owner, scope.project, "admin");
    return {
      column: "project_id" as const,
      id: project.id,
      projectId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
    };
  }
  const org = await getOrg(db, scope.org);
  await requireOrgOwner(db, viewer, org);
  return { column: "org_id" as const, id: org.id, projectId: null, target: org.handle };
}

async function checkUrl(url: string, outbound?: OutboundDeps) {
  try {
    await checkOutboundUrl(url, outbound);
  } catch (err) {
    if (err instanceof OutboundRefused)
      throw invalid(`The URL is refused: ${err.message}`, [{ field: "url", message: err.message }]);
    throw err;
  }
}

type HookRow = {
  id: string;
  url: string;
  events: string[];
  format: string;
  active: boolean;
  failures_in_row: number;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export const hookJson = (h: HookRow) => ({
  id: h.id,
  url: h.url,
  events: h.events,
  format: h.format,
  active: h.active,
  failures_in_row: h.failures_in_row,
  disabled_reason: h.disabled_reason,
  created_by: h.created_by,
  created_at: h.created_at.toISOString(),
  updated_at: h.updated_at.toISOString(),
});

/** Creates a hook; the answer shows the secret once (generated when none was given). */
export async function createHook(deps: HookDeps, viewer: Viewer, scope: HookScope, input: unknown) {
  const data = requireValid(hookInputSchema, input);
  const where = await resolveScope(deps.db, viewer, scope);
  await checkUrl(data.url, deps.outbound);
  const secret = data.secret ?? randomBytes(24).toString("hex");
  const hook = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("webhooks")
      .values({
        id: ulid(),
        [where.column]: where.id,
        url: data.url,
        secret: deps.secrets.seal(secret),
        events: [...new Set(data.events)],
        format: data.format,
        active: data.active,
        created_by: viewer.user?.handle ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: "webhook.create",
      targetType: "webhook",
      targetId: row.id,
      target: where.target,
      projectId: where.projectId ?? undefined,
      data: { url: data.url, events: row.events, format: row.format },
    });
    return row;
  });
  return { ...hookJson(hook), secret };
}

export async function listHooks(db: Db, viewer: Viewer, scope: HookScope) {
  const where = await resolveScope(db, viewer, scope);
  const rows = await db
    .selectFrom("webhooks")
    .selectAll()
    .where(where.column, "=", where.id)
    .orderBy("created_at")
    .execute();
  return rows.map(hookJson);
}

/** The hook with this id in this scope, for someone who may manage the scope's hooks. */
export async function getHook(db: Db, viewer: Viewer, scope: HookScope, id: string) {
  const where = await resolveScope(db, viewer, scope);
  const hook = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("id", "=", id)
    .where(where.column, "=", where.id)
    .executeTakeFirst();
  if (!hook) throw notFound("No such webhook");
  return { hook, where };
}

export async function updateHook(
  deps: HookDeps,
  viewer: Viewer,
  scope: HookScope,
  id: string,
  input: unknown,
) {
  const patch = requireValid(hookPatchSchema, input);
  const { hook, where } = await getHook(deps.db, viewer, scope, id);
  if (patch.url !== undefined) await checkUrl(patch.url, deps.outbound);
  const reactivated = patch.active === true && !hook.active;
  const updated = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("webhooks")
      .set({
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
        ...(patch.format !== undefined ? { format: patch.format } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(patch.secret !== undefined ? { secret: deps.secrets.seal(patch.secret) } : {}),
        ...(reactivated ? { failures_in_row: 0, disabled_reason: null } : {}),
        updated_at: new Date(),
      })
      .where("id", "=", hook.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: "webhook.update",
      targetType: "webhook",
      targetId: hook.id,
      target: where.target,
      projectId: where.projectId ?? undefined,
      data: { changes: Object.keys(patch).filter((k) => k !== "secret" || patch.secret !== undefined) },
    });
    return row;
  });
  return hookJson(updated);
}

export async function deleteHook(db: Db, viewer: Viewer, scope: HookScope, id: string) {
  const { hook, where } = await getHook(db, viewer, scope, id);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("webhooks").where("id", "=", hook.id).execute();
    await recordAudit(trx, viewer, {
      action: "webhook.delete",
      targetType: "webhook",
      targetId: hook.id,
      target: where.target,
      projectId: where.projectId ?? undefined,
      data: { url: hook.url },
    });
  });
}

export const deliveryJson = (d: {
  id: string;
  event: string;
  redelivery_of: string | null;
  state: string;
  attempts: number;
  status: number | null;
  response_excerpt: string | null;
  error: string | null;
  duration_ms: number | null;
  created_at: Date;
  finished_at: Date | null;
  payload?: Record<string, unknown>;
}) => ({
  id: d.id,
  event: d.event,
  redelivery_of: d.redelivery_of,
  state: d.state,
  attempts: d.attempts,
  status: d.status,
  response_excerpt: d.response_excerpt,
  error: d.error,
  duration_ms: d.duration_ms,
  created_at: d.created_at.toISOString(),
  finished_at: d.finished_at?.toISOString() ?? null,
  ...(d.payload ? { payload: d.payload } : {}),
});

export async function listDeliveries(db: Db, viewer: Viewer, scope: HookScope, id: string, limit = 50) {
  const { hook } = await getHook(db, viewer, scope, id);
  const rows = await db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("hook_id", "=", hook.id)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(Math.min(Math.max(limit, 1), 200))
    .execute();
  return rows.map(deliveryJson);
}
