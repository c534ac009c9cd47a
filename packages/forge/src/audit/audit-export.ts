// Filters of the audit views, read from a query string (pages and API alike), and the
// export of every matching entry as JSON lines (application/x-ndjson), newest first, read a
// page at a time.
import { z } from "@hono/zod-openapi";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { invalid } from "../errors/app-error.ts";
import { type AuditQuery, listAudit } from "./audit.ts";

/** Entries an export holds at most. */
export const EXPORT_MAX = 100_000;
const BATCH = 1000;

const day = /^\d{4}-\d{2}-\d{2}$/;
const dateParam = z
  .string()
  .max(40)
  .refine(
    (v) => day.test(v) || !Number.isNaN(Date.parse(v)),
    "must be a date (YYYY-MM-DD) or an ISO 8601 date-time",
  )
  .optional();

export const auditFilterSchema = z.object({
  action: z.string().max(100).optional().describe("An action, or a prefix ending in * (project.*)"),
  actor: z.string().max(100).optional().describe("The actor's handle; - for entries without one"),
  target: z.string().max(200).optional().describe("A part of the target's name"),
  from: dateParam.describe("From this date or instant (inclusive)"),
  to: dateParam.describe("Up to this date (inclusive) or instant (exclusive)"),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  format: z.enum(["json", "jsonl"]).optional().describe("jsonl: every matching entry as JSON lines"),
});
export type AuditFilters = z.infer<typeof auditFilterSchema>;

function toDate(v: string | undefined, endOfDay: boolean): Date | undefined {
  if (!v) return undefined;
  if (day.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw invalid(`Not a date: ${v}`);
    return endOfDay ? new Date(d.getTime() + 86_400_000) : d;
  }
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw invalid(`Not a date: ${v}`);
  return d;
}

/** The query for filters from a request; empty strings mean no filter. */
export function auditQuery(f: Partial<Record<keyof AuditFilters, unknown>>): AuditQuery {
  const s = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const n = (v: unknown) => (Number(v) > 0 ? Math.floor(Number(v)) : undefined);
  return {
    action: s(f.action)?.slice(0, 100),
    actor: s(f.actor)?.slice(0, 100),
    target: s(f.target)?.slice(0, 200),
    from: toDate(s(f.from), false),
    to: toDate(s(f.to), true),
    before: n(f.before),
    limit: n(f.limit),
  };
}

/** Every matching entry (up to EXPORT_MAX) as JSON lines, newest first. */
export async function exportAudit(db: Kysely<Database>, q: AuditQuery): Promise<string> {
  const lines: string[] = [];
  let before = q.before;
  while (lines.length < EXPORT_MAX) {
    const page = await listAudit(db, { ...q, before, limit: BATCH });
    for (const e of page) lines.push(JSON.stringify(e));
    if (page.length < BATCH) break;
    before = page[page.length - 1].id;
  }
  return lines.map((l) => `${l}\n`).join("");
}

export const NDJSON = "application/x-ndjson; charset=utf-8";
