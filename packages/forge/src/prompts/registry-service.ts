// The prompt registry: the prompts sessions carry, searchable per project and across every
// project the viewer may read (private projects' prompts never show to anyone else). Newest
// first, a page at a time (?before=<session id>); filtered by outcome (the session's status),
// template and agent; searched by a case-insensitive substring of the goal and prompt, which
// the trigram index of migration 0027 serves on PostgreSQL and PGlite alike. Each prompt
// comes with its session's latest validation score, and a page with the outcome counts.
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { whereVisible } from "../projects/access.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";

export const OUTCOMES = ["landed", "rejected", "abandoned", "open"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const MAX_QUERY = 200;
export const EXCERPT = 280;

export const registryQuerySchema = z.object({
  q: z
    .string()
    .max(MAX_QUERY)
    .optional()
    .openapi({ description: "Words in the goal or prompt (case-insensitive)" }),
  outcome: z.enum(OUTCOMES).optional(),
  template: z.string().max(64).optional(),
  agent: z.string().max(100).optional(),
  before: z
    .string()
    .regex(/^[0-9A-Z]{26}$/, "a session id")
    .optional()
    .openapi({ description: "Only prompts of sessions older than this session id" }),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  full: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: each item carries the whole prompt text, not only its excerpt" }),
});
export type RegistryQuery = Omit<z.infer<typeof registryQuerySchema>, "full"> & { full?: boolean | string };

/** `%term%` for LIKE on lower(...), the wildcard characters of the term matched literally. */
const like = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
/** The indexed expression (migration 0027): keep the two in step. */
const searchText = sql<string>`lower(sessions.goal || ' ' || sessions.prompt)`;

type Scope = { projectId: string } | { viewer: Viewer };

function filtered(db: Db, scope: Scope, f: RegistryQuery, withOutcome: boolean) {
  let q = db
    .selectFrom("sessions")
    .innerJoin("projects", "projects.id", "sessions.project_id")
    .innerJoin("accounts as owner", "owner.id", "projects.owner_id")
    .where("sessions.prompt", "is not", null);
  if ("projectId" in scope) q = q.where("sessions.project_id", "=", scope.projectId);
  else
    q = q.where(
      "sessions.project_id",
      "in",
      whereVisible(db.selectFrom("projects").select("projects.id"), scope.viewer),
    );
  const text = f.q?.trim();
  if (text) q = q.where(searchText, "like", like(text));
  if (f.template) q = q.where("sessions.template_id", "=", f.template);
  if (f.agent) q = q.where("sessions.agent_name", "=", f.agent);
  if (withOutcome && f.outcome) q = q.where("sessions.status", "=", f.outcome);
  return q;
}

async function page(db: Db, scope: Scope, f: RegistryQuery) {
  const limit = Math.min(f.limit ?? 20, 100);
  let q = filtered(db, scope, f, true);
  if (f.before) q = q.where("sessions.id", "<", f.before);
  const rows = await q
    .select([
      "sessions.id",
      "sessions.goal",
      "sessions.prompt",
      "sessions.status",
      "sessions.status_reason",
      "sessions.author_handle",
      "sessions.agent_name",
      "sessions.agent_model",
      "sessions.agent_version",
      "sessions.origin",
      "sessions.template_id",
      "sessions.revises_id",
      "sessions.generation_depth",
      "sessions.created_at",
      "sessions.landed_at",
      "sessions.landed_position",
      "projects.handle as project_handle",
      "projects.visibility",
      "owner.handle as owner_handle",
    ])
    .select(
      sql<{ status: string; score: number | null; min_score: number } | null>`(
        SELECT jsonb_build_object('status', v.status, 'score', v.aggregate_score, 'min_score', v.min_score)
        FROM validation_runs v WHERE v.session_id = sessions.id ORDER BY v.created_at DESC, v.id DESC LIMIT 1
      )`.as("validation"),
    )
    .orderBy("sessions.id", "desc")
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  return { items, next_before: more ? items[items.length - 1]!.id : null };
}

async function counts(db: Db, scope: Scope, f: RegistryQuery): Promise<Record<Outcome, number>> {
  const rows = await filtered(db, scope, f, false)
    .select(["sessions.status", (eb) => eb.fn.countAll<string>().as("n")])
    .groupBy("sessions.status")
    .execute();
  const out = { landed: 0, rejected: 0, abandoned: 0, open: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

export type RegistryRow = Awaited<ReturnType<typeof page>>["items"][number];

const excerptOf = (text: string) =>
  text.length <= EXCERPT ? text : `${text.slice(0, EXCERPT).replace(/\s+\S*$/, "")}…`;

export function promptItemJson(r: RegistryRow, full: boolean) {
  const project = `${r.owner_handle}/${r.project_handle}`;
  const text = r.prompt ?? "";
  return {
    session_id: r.id,
    project,
    goal: r.goal,
    excerpt: excerptOf(text),
    ...(full ? { text } : {}),
    truncated: text.length > EXCERPT,
    author: r.author_handle,
    agent: r.agent_name ? { name: r.agent_name, model: r.agent_model, version: r.agent_version } : null,
    origin: r.origin,
    template: r.template_id,
    outcome: r.status,
    status_reason: r.status_reason,
    generation_depth: r.generation_depth,
    revises: r.revises_id,
    landed_position: r.landed_position,
    validation: r.validation
      ? {
          status: r.validation.status,
          score: r.validation.score === null ? null : Number(r.validation.score),
          min_score: Number(r.validation.min_score),
        }
      : null,
    created_at: r.created_at.toISOString(),
    landed_at: r.landed_at?.toISOString() ?? null,
    url: `/${project}/sessions/${r.id}`,
  };
}

const isFull = (f: RegistryQuery) => f.full === true || f.full === "true";

/** One project's prompts (the caller has checked the viewer may read it). */
export async function projectPrompts(db: Db, project: ProjectWithOwner, f: RegistryQuery) {
  const scope = { projectId: project.id };
  const [p, c] = await Promise.all([page(db, scope, f), counts(db, scope, f)]);
  return {
    rows: p.items,
    items: p.items.map((r) => promptItemJson(r, isFull(f))),
    counts: c,
    next_before: p.next_before,
  };
}

/** Every prompt the viewer may read, across projects. */
export async function instancePrompts(db: Db, viewer: Viewer, f: RegistryQuery) {
  const scope = { viewer };
  const [p, c] = await Promise.all([page(db, scope, f), counts(db, scope, f)]);
  return {
    rows: p.items,
    items: p.items.map((r) => promptItemJson(r, isFull(f))),
    counts: c,
    next_before: p.next_before,
  };
}

/** The registry's JSON answer. */
export const registryJson = (r: Awaited<ReturnType<typeof projectPrompts>>) => ({
  items: r.items,
  counts: r.counts,
  next_before: r.next_before,
});
