// The error_groups table: record an occurrence (insert or count, reopening a resolved group,
// tracking a ten-minute window for spikes), list and read groups, resolve, mute, reopen, prune.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { notFound } from "../errors/app-error.ts";
import { fingerprint } from "./fingerprint.ts";
import { scrub, scrubText } from "./scrub.ts";

export const ERROR_KINDS = ["request", "job", "log", "agent"] as const;
export type ErrorKindName = (typeof ERROR_KINDS)[number];
export const SPIKE_WINDOW_MINUTES = 10;

export interface Occurrence {
  kind: ErrorKindName;
  severity: "error" | "fatal";
  name: string;
  message: string;
  stack?: string | null;
  context?: Record<string, unknown>;
}

export interface Recorded {
  id: string;
  count: number;
  windowCount: number;
  isNew: boolean;
  reopened: boolean;
  status: "open" | "resolved" | "muted";
  notifiedAt: Date | null;
}

export async function recordOccurrence(db: Db, o: Occurrence): Promise<Recorded> {
  const id = fingerprint(o.kind, o.name, o.message, o.stack);
  const { rows } = await sql<{
    count: number;
    window_count: number;
    inserted: boolean;
    reopened: boolean;
    status: "open" | "resolved" | "muted";
    notified_at: Date | null;
  }>`
    WITH old AS (SELECT status FROM error_groups WHERE id = ${id}),
    up AS (
    INSERT INTO error_groups AS g (id, kind, severity, name, message, stack, context)
    VALUES (${id}, ${o.kind}, ${o.severity}, ${o.name.slice(0, 200)}, ${scrubText(o.message)},
            ${o.stack ? scrubText(o.stack).slice(0, 8000) : null}, ${JSON.stringify(scrub(o.context ?? {}))}::jsonb)
    ON CONFLICT (id) DO UPDATE SET
      count = g.count + 1,
      last_seen = now(),
      message = excluded.message,
      stack = coalesce(excluded.stack, g.stack),
      context = excluded.context,
      severity = CASE WHEN excluded.severity = 'fatal' THEN 'fatal' ELSE g.severity END,
      status = CASE WHEN g.status = 'resolved' THEN 'open' ELSE g.status END,
      resolved_at = CASE WHEN g.status = 'resolved' THEN NULL ELSE g.resolved_at END,
      window_start = CASE WHEN g.window_start < now() - make_interval(mins => ${SPIKE_WINDOW_MINUTES}) THEN now() ELSE g.window_start END,
      window_count = CASE WHEN g.window_start < now() - make_interval(mins => ${SPIKE_WINDOW_MINUTES}) THEN 1 ELSE g.window_count + 1 END
    RETURNING count, window_count, (xmax = 0) AS inserted, status, notified_at)
    SELECT up.*, coalesce((SELECT status FROM old) = 'resolved', false) AS reopened FROM up`.execute(db);
  const r = rows[0]!;
  return {
    id,
    count: r.count,
    windowCount: r.window_count,
    isNew: r.inserted,
    reopened: r.reopened,
    status: r.status,
    notifiedAt: r.notified_at,
  };
}

export async function markNotified(db: Db, id: string) {
  await db.updateTable("error_groups").set({ notified_at: new Date() }).where("id", "=", id).execute();
}

export interface ErrorQuery {
  status?: "open" | "resolved" | "muted";
  kind?: ErrorKindName;
  q?: string;
  limit?: number;
  offset?: number;
}

export async function listErrors(db: Db, query: ErrorQuery = {}) {
  let q = db.selectFrom("error_groups").selectAll().orderBy("last_seen", "desc").orderBy("id");
  if (query.status) q = q.where("status", "=", query.status);
  if (query.kind) q = q.where("kind", "=", query.kind);
  if (query.q) q = q.where("message", "ilike", `%${query.q.replace(/[%_\\]/g, "\\$&")}%`);
  const rows = await q
    .limit(Math.min(query.limit ?? 50, 200))
    .offset(query.offset ?? 0)
    .execute();
  return rows.map(errorJson);
}

export async function getError(db: Db, id: string) {
  const row = await db.selectFrom("error_groups").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("No such error");
  return errorJson(row);
}

export async function setErrorStatus(db: Db, id: string, status: "open" | "resolved" | "muted") {
  const row = await db
    .updateTable("error_groups")
    .set({ status, resolved_at: status === "resolved" ? new Date() : null })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound("No such error");
  return errorJson(row);
}

export async function pruneErrors(db: Db, retentionDays: number) {
  const before = new Date(Date.now() - retentionDays * 86_400_000);
  const r = await db.deleteFrom("error_groups").where("last_seen", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

type Row = {
  id: string;
  kind: string;
  severity: string;
  name: string;
  message: string;
  stack: string | null;
  context: Record<string, unknown>;
  count: number;
  first_seen: Date;
  last_seen: Date;
  status: string;
  resolved_at: Date | null;
};
export const errorJson = (r: Row) => ({
  id: r.id,
  kind: r.kind,
  severity: r.severity,
  name: r.name,
  message: r.message,
  stack: r.stack,
  context: r.context,
  count: r.count,
  first_seen: r.first_seen.toISOString(),
  last_seen: r.last_seen.toISOString(),
  status: r.status,
  resolved_at: r.resolved_at?.toISOString() ?? null,
});
