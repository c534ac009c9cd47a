// Sessions: a goal, an author (a person, or an agent acting for one), a fixed base position,
// the conversation that produced the change, and the change itself (refs/sessions/<id>).
// The base never moves except by an explicit sync. Appending events and closing a session
// tell every forge process's followers (gRPC StreamEvents) through the bus, on commit.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import {
  agentSchema,
  contextSessionsSchema,
  generationDepth,
  MAX_GENERATION_DEPTH,
  ORIGINS,
  promptRequestSchema,
  type SessionEvent,
  sessionEventSchema,
} from "@micelio/core";
import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import { declaredGeneratedAt, staleness } from "../attestation/staleness.ts";
import type { Db } from "../db/db.ts";
import { channelSql, notify } from "../db/notify-bus.ts";
import {
  conflict,
  forbidden,
  generationDepthExceeded,
  invalid,
  notFound,
  reviewRequired,
  sessionClosed,
  unauthorized,
} from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { mentionedHandles } from "../notifications/mentions.ts";
import { getProject, getProjectWithSession, type ProjectWithOwner } from "../projects/projects-service.ts";
import { templateExists } from "../prompts/templates-service.ts";
import { checkOpen, type ReviewRule } from "../trust/agent-limits.ts";
import { requireAgentsRunning } from "../trust/circuit-breaker.ts";
import { afterAgentSessionOpened, checkNoise } from "../trust/noise.ts";
import { PROJECT_EVENTS_CHANNEL, recordProjectEvent } from "./project-events.ts";
import type { SessionRow } from "./session-types.ts";

/** The bus channel that says "this session has new events or a new status"; the payload is its id. */
export const SESSION_CHANNEL = "session_events";

export const createSessionSchema = z.object({
  goal: z.string().trim().min(1, "goal is required").max(500, "goal must be at most 500 characters"),
  agent: agentSchema.optional(),
  origin: z.enum(ORIGINS).optional(),
  base: z.number().int().min(0).optional(),
  prompt: promptRequestSchema.optional(),
  generation_depth: z.number().int().min(0).max(MAX_GENERATION_DEPTH).optional(),
  context_sessions: contextSessionsSchema.optional(),
  generated_at: z.string().datetime({ offset: true }).optional().openapi({
    description: "When the agent produced the content (attestation/staleness.ts); at most a minute ahead",
  }),
});

export function sessionJson(s: SessionRow) {
  return {
    id: s.id,
    goal: s.goal,
    status: s.status,
    status_reason: s.status_reason,
    author: s.author_handle,
    agent: s.agent_name ? { name: s.agent_name, model: s.agent_model, version: s.agent_version } : null,
    origin: s.origin,
    base_position: s.base_position,
    base_commit: s.base_commit,
    landed_position: s.landed_position,
    landed_commit: s.landed_commit,
    touched_paths: s.touched_paths,
    lines_added: s.lines_added,
    lines_removed: s.lines_removed,
    tokens: { input: Number(s.tokens_input), output: Number(s.tokens_output) },
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
    landed_at: s.landed_at?.toISOString() ?? null,
    approved_by: s.approved_by,
    approved_at: s.approved_at?.toISOString() ?? null,
    source: s.source ? { project: s.source, session: s.source_session_id } : null,
    prompt: s.prompt === null ? null : promptJson(s),
    generation_depth: s.generation_depth,
    prompt_ai: s.prompt_ai_reason ? { reason: s.prompt_ai_reason } : null,
    ready_for_review_at: s.ready_at?.toISOString() ?? null,
    // Generation against submission time, and the stale flag (attestation/staleness.ts).
    ...staleness(s),
  };
}

/** The session's prompt request (null fields when the agent did not say). */
export function promptJson(s: SessionRow) {
  return {
    text: s.prompt,
    system: s.system_prompt,
    model: s.agent_model,
    environment: s.environment,
    cost_usd: s.cost_usd === null ? null : Number(s.cost_usd),
    execution_ms: s.execution_ms === null ? null : Number(s.execution_ms),
    revises: s.revises_id,
    template: s.template_id,
  };
}

/** The sessions of a project named in a create body (revises, context), each once. */
async function relatedSessions(db: Db, projectId: string, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map<string, { origin: string; generation_depth: number }>();
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "origin", "generation_depth"])
    .where("project_id", "=", projectId)
    .where("id", "in", unique)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The prompt request's rules: required of agents, lineage and context within the project, the depth cap. */
async function promptRules(db: Db, project: ProjectWithOwner, data: z.infer<typeof createSessionSchema>) {
  const ai = data.agent !== undefined || (data.origin !== undefined && data.origin !== "human");
  requireAgentsRunning(project, ai);
  if (data.agent && !data.prompt)
    throw invalid("An agent's session carries its prompt: give prompt.text", [
      { field: "prompt.text", message: "required when the session has an agent" },
    ]);
  const context = data.context_sessions ?? [];
  const known = await relatedSessions(db, project.id, [
    ...context,
    ...(data.prompt?.revises ? [data.prompt.revises] : []),
  ]);
  const missing = [...context, data.prompt?.revises].filter((id): id is string => !!id && !known.has(id));
  if (missing.length) {
    const field = data.prompt?.revises === missing[0] ? "prompt.revises" : "context_sessions";
    throw invalid(`No session ${missing[0]} in this project`, [
      { field, message: `no session ${missing[0]} in this project` },
    ]);
  }
  if (data.prompt?.template && !(await templateExists(db, project.id, data.prompt.template)))
    throw invalid(`No prompt template ${data.prompt.template} in this project`, [
      { field: "prompt.template", message: `no template ${data.prompt.template} in this project` },
    ]);
  const depth = generationDepth(
    ai,
    data.generation_depth,
    context.map((id) => known.get(id)!),
  );
  if (project.max_generation_depth !== null && depth > project.max_generation_depth)
    throw generationDepthExceeded(depth, project.max_generation_depth);
  return depth;
}

/** The commit at a trunk position (0 = before the first landing: null). */
export async function commitAtPosition(db: Db, projectId: string, position: number): Promise<string | null> {
  if (position === 0) return null;
  const row = await db
    .selectFrom("landings")
    .select("commit_sha")
    .where("project_id", "=", projectId)
    .where("position", "=", position)
    .executeTakeFirst();
  if (!row) throw notFound(`No landing at position ${position}`);
  return row.commit_sha;
}

export async function createSession(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  if (!viewer.user) throw unauthorized();
  if (!hasScope(viewer, "session:write")) throw forbidden("This token lacks the session:write scope");
  const data = requireValid(createSessionSchema, input);
  const { project, role } = await getProject(db, viewer, owner, handle, "write");
  const depth = await promptRules(db, project, data);
  const lineage = data.prompt?.revises ? [data.prompt.revises] : [];
  await checkOpen(
    db,
    project,
    role,
    viewer.user.id,
    data.agent?.name ?? null,
    data.prompt?.text ?? null,
    lineage,
  );
  const p = data.prompt;
  const head = project.head_position;
  const base = data.base ?? head;
  if (base > head) throw conflict(`base ${base} is ahead of trunk (head is ${head})`);
  // Every session has an origin: declared, else an agent's work is AI-generated, a person's human.
  const origin = data.origin ?? (data.agent ? "ai-generated" : "human");
  const generatedAt = data.generated_at ? declaredGeneratedAt(data.generated_at) : null;
  const id = ulid();
  const event = JSON.stringify({
    session: id,
    goal: data.goal,
    author: viewer.user.handle,
    agent: data.agent?.name ?? null,
    base_position: base,
  });
  // One statement: the base's commit looked up (no row, so nothing written, when the base is
  // not a landing), the session inserted, its session.created event recorded and announced
  // on the bus (recordProjectEvent's two statements), all or nothing.
  const { rows } = await sql<SessionRow & { notified: unknown }>`
    WITH base AS (
      SELECT (SELECT commit_sha FROM landings WHERE project_id = ${project.id} AND position = ${base}) AS commit_sha
    ), s AS (
      INSERT INTO sessions (id, project_id, author_id, author_handle, agent_name, agent_model,
                            agent_version, goal, origin, base_position, base_commit, prompt,
                            system_prompt, environment, cost_usd, execution_ms, revises_id,
                            template_id, generation_depth, generated_at)
      SELECT ${id}, ${project.id}, ${viewer.user.id}, ${viewer.user.handle}, ${data.agent?.name ?? null},
             ${data.agent?.model ?? null}, ${data.agent?.version ?? null}, ${data.goal}, ${origin},
             ${base}::int, CASE WHEN ${base}::int = 0 THEN NULL ELSE base.commit_sha END, ${p?.text ?? null},
             ${p?.system ?? null}, ${p?.environment ? JSON.stringify(p.environment) : null}::jsonb,
             ${p?.cost_usd ?? null}::float8, ${p?.execution_ms ?? null}::bigint, ${p?.revises ?? null},
             ${p?.template ?? null}, ${depth}::int, ${generatedAt}::timestamptz
      FROM base WHERE ${base}::int = 0 OR base.commit_sha IS NOT NULL
      RETURNING *
    ), e AS (
      INSERT INTO project_events (project_id, type, data)
      SELECT s.project_id, 'session.created', ${event}::jsonb FROM s
    )
    SELECT s.*, pg_notify(${channelSql(PROJECT_EVENTS_CHANNEL)}, s.project_id) AS notified FROM s`.execute(
    db,
  );
  if (rows.length === 0) throw notFound(`No landing at position ${base}`);
  const { notified: _n, ...row } = rows[0];
  return { project, session: await afterAgentSessionOpened(db, row as SessionRow) };
}

/** Loads a session of a project the viewer may read (or write, for changes). */
export async function getSession(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  id: string,
  need: "read" | "write" = "read",
) {
  if (!/^[0-9A-Z]{26}$/.test(id)) {
    await getProject(db, viewer, owner, handle, need); // the project's 404 or 403 comes first
    throw notFound("Session not found");
  }
  const { project, role, session: row } = await getProjectWithSession(db, viewer, owner, handle, id, need);
  if (!row) throw notFound("Session not found");
  if (need === "write" && !hasScope(viewer, "session:write"))
    throw forbidden("This token lacks the session:write scope");
  return { project, role, session: row as unknown as SessionRow };
}

/** A session read again by id (after the lander changed it; access was checked before). */
export async function reloadSession(db: Db, id: string): Promise<SessionRow> {
  return (await db
    .selectFrom("sessions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow()) as SessionRow;
}

export function requireOpen(s: SessionRow) {
  if (s.status !== "open") throw sessionClosed(s.status);
}

export interface SessionFilter {
  status?: string;
  origin?: string;
  agent?: string;
  review?: "ready";
  limit?: number;
  before?: string;
  /** Only sessions opened or changed at or after this time. */
  since?: Date;
}

export async function listSessions(db: Db, project: ProjectWithOwner, f: SessionFilter = {}) {
  let q = db.selectFrom("sessions").selectAll().where("project_id", "=", project.id);
  if (f.status) q = q.where("status", "=", f.status as SessionRow["status"]);
  if (f.origin) q = q.where("origin", "=", f.origin as SessionRow["origin"]);
  if (f.agent) q = q.where("agent_name", "=", f.agent);
  if (f.review === "ready")
    q = q.where("status", "=", "open").where("ready_at", "is not", null).where("approved_at", "is", null);
  if (f.before) q = q.where("id", "<", f.before);
  // A delta for phones: sessions opened or changed at or after `since` (inclusive, so nothing
  // written in the same millisecond is missed; clients replace sessions by id).
  if (f.since) q = q.where("updated_at", ">=", f.since);
  return (await q
    .orderBy("id", "desc")
    .limit(Math.min(f.limit ?? 30, 100))
    .execute()) as SessionRow[];
}

/** Appends events in order; token counts of prompts and messages add up on the session. */
export async function appendEvents(db: Db, session: SessionRow, events: unknown[]) {
  const parsed: SessionEvent[] = events.map((e, i) => {
    const r = sessionEventSchema.safeParse(e);
    if (!r.success) {
      const message = r.error.issues[0]?.message ?? "invalid event";
      throw invalid(`events.${i}: ${message}`, [{ field: `events.${i}`, message }]);
    }
    return r.data;
  });
  return db.transaction().execute(async (trx) => {
    await sql`SELECT 1 FROM sessions WHERE id = ${session.id} FOR UPDATE`.execute(trx);
    const last = await trx
      .selectFrom("session_events")
      .select(sql<number>`coalesce(max(seq), 0)::int`.as("seq"))
      .where("session_id", "=", session.id)
      .executeTakeFirstOrThrow();
    let seq = last.seq;
    const rows = parsed.map((e) => ({
      session_id: session.id,
      seq: ++seq,
      kind: e.kind,
      data: JSON.stringify(e),
    }));
    if (rows.length) await trx.insertInto("session_events").values(rows).execute();
    const input = parsed.reduce(
      (n, e) =>
        n + (e.kind === "prompt" || (e.kind === "message" && e.role !== "assistant") ? (e.tokens ?? 0) : 0),
      0,
    );
    const output = parsed.reduce(
      (n, e) => n + (e.kind === "message" && e.role === "assistant" ? (e.tokens ?? 0) : 0),
      0,
    );
    await trx
      .updateTable("sessions")
      .set({
        tokens_input: sql`tokens_input + ${input}`,
        tokens_output: sql`tokens_output + ${output}`,
        updated_at: new Date(),
      })
      .where("id", "=", session.id)
      .execute();
    await notify(trx, SESSION_CHANNEL, session.id);
    // @handles in the conversation's messages and decisions reach those people (notifications/).
    const mentions = mentionedHandles(
      parsed
        .filter((e) => e.kind === "message" || e.kind === "decision")
        .map((e) => String((e as { text?: unknown }).text ?? ""))
        .join("\n"),
    );
    if (mentions.length)
      await recordProjectEvent(trx, session.project_id, "session.mentioned", {
        session: session.id,
        goal: session.goal,
        author: session.author_handle,
        mentions,
      });
    return rows.map((r) => ({ seq: r.seq, kind: r.kind }));
  });
}

export async function listEvents(db: Db, sessionId: string, after = 0, limit = 500) {
  const rows = await db
    .selectFrom("session_events")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("seq", ">", after)
    .orderBy("seq")
    .limit(Math.min(limit, 1000))
    .execute();
  return rows.map((r) => ({ seq: r.seq, ...(r.data as object), created_at: r.created_at.toISOString() }));
}

export async function setStatus(
  db: Db,
  session: SessionRow,
  status: "abandoned" | "rejected",
  reason?: string,
) {
  requireOpen(session);
  const row = await db
    .updateTable("sessions")
    .set({ status, status_reason: reason ?? null, updated_at: new Date() })
    .where("id", "=", session.id)
    .where("status", "=", "open")
    .returningAll()
    .executeTakeFirst();
  if (!row) throw sessionClosed("closed", "The session is no longer open");
  await notify(db, SESSION_CHANNEL, session.id);
  if (status === "rejected")
    await recordProjectEvent(db, row.project_id, "session.rejected", {
      session: row.id,
      author: row.author_handle,
      goal: row.goal,
      reason: reason ?? null,
    });
  return row as SessionRow;
}

/** Branch protection at land time: who may land, and whether a review is required. */
export function checkLandRules(project: ProjectWithOwner, role: string, session: SessionRow) {
  if (project.land_role === "admin" && role !== "admin")
    throw forbidden("Only project administrators may land on this project");
  if (project.require_review && !session.approved_at) {
    throw reviewRequired(
      "Review required: a project administrator must approve this session before it lands",
    );
  }
}

/**
 * Holds a session that passed the quality gate for a person's review (trust/agent-limits.ts
 * reviewRules says why): marks it ready for review (the maintainers' queue) and refuses the
 * land until a project administrator approves it (or, not being its author, lands it).
 */
export async function holdForReview(db: Db, session: SessionRow, rules: ReviewRule[]) {
  if (rules.length === 0) return;
  const row = await db
    .updateTable("sessions")
    .set({ ready_at: sql`coalesce(ready_at, now())` })
    .where("id", "=", session.id)
    .returning(["ready_at", sql<boolean>`ready_at = now()`.as("fresh")])
    .executeTakeFirst();
  await notify(db, SESSION_CHANNEL, session.id);
  if (row?.fresh)
    await recordProjectEvent(db, session.project_id, "session.review_requested", {
      session: session.id,
      goal: session.goal,
      author: session.author_handle,
      agent: session.agent_name,
    });
  throw reviewRequired(
    `The session passed the quality gate and is ready for review: ${rules.map((r) => r.message).join("; ")}. A project administrator must approve it before it lands`,
    { ready_for_review_at: row?.ready_at?.toISOString() ?? null, rules },
  );
}

/** New changes make a session that waited for review a work in progress again. */
export async function clearReady(db: Db, id: string) {
  await db.updateTable("sessions").set({ ready_at: null }).where("id", "=", id).execute();
}

export const rejectSchema = z.object({ reason: z.string().trim().max(500).optional() }).strict();

/** A project administrator (not the author) closes an open session as rejected. */
export async function rejectSessionAs(
  db: Db,
  viewer: Viewer,
  user: { id: string },
  owner: string,
  handle: string,
  id: string,
  input: unknown,
) {
  const { reason } = requireValid(rejectSchema, input ?? {});
  const { session } = await getSession(db, viewer, owner, handle, id, "write");
  await getProject(db, viewer, owner, handle, "admin");
  if (session.author_id === user.id)
    throw forbidden("You cannot reject your own session: abandon it instead");
  const rejected = await setStatus(db, session, "rejected", reason || undefined);
  if (rejected.agent_name) await checkNoise(db, rejected.project_id);
  return rejected;
}

export async function approveSession(db: Db, session: SessionRow, approver: { id: string; handle: string }) {
  requireOpen(session);
  if (session.author_id === approver.id) throw forbidden("You cannot approve your own session");
  const row = await db
    .updateTable("sessions")
    .set({ approved_by: approver.handle, approved_at: new Date(), updated_at: new Date() })
    .where("id", "=", session.id)
    .where("status", "=", "open")
    .returningAll()
    .executeTakeFirst();
  if (!row) throw sessionClosed("closed", "The session is no longer open");
  return row as SessionRow;
}
