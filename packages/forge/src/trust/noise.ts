// Noise multiplication prevention: the agents' circuit breaker (circuit-breaker.ts) trips by
// itself when one of a project's noise metrics reaches the threshold its administrators set
// (null = off). Each metric is counted over a rolling window, across all agents:
//
//   validation_failures_per_hour  failed validations of agents' sessions (projects.circuit_max_failures)
//   rejections_per_day            agents' sessions rejected by a maintainer in the last 24 hours
//   duplicates_per_hour           agents' attempts refused as near-duplicates in the last hour
//   sessions_per_hour             agents' sessions opened in the last hour
//   cascade_percent               share (%) of the agents' sessions opened in the last 24 hours
//                                 that act on AI-generated context (generation 2 or more, or a
//                                 prompt flagged as AI-generated), once there are at least
//                                 CASCADE_MIN_SESSIONS of them
//
// The metrics are checked after each event that can move one (a failed validation, an agent's
// session opened or rejected, a near-duplicate refusal). A trip pauses agents' contributions
// (`paused_by: circuit-breaker`) with the metric, value and threshold in the pause reason, the
// audit entry (project.agents_pause), the project event agents.paused and the thresholds' last
// trip; the project's administrators are mailed once (maintainer-alerts.ts). Only a maintainer
// resumes. Threshold changes are audited (project.noise_update, before and after).
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { flagAiPrompt } from "./ai-prompt.ts";
import { BREAKER } from "./circuit-breaker.ts";
import { alertProjectMaintainers } from "./maintainer-alerts.ts";

export const NOISE_METRICS = [
  "validation_failures_per_hour",
  "rejections_per_day",
  "duplicates_per_hour",
  "sessions_per_hour",
  "cascade_percent",
] as const;
export type NoiseMetric = (typeof NOISE_METRICS)[number];
/** The thresholds set here; validation_failures_per_hour is the project's circuit_max_failures. */
export const SETTABLE = [
  "rejections_per_day",
  "duplicates_per_hour",
  "sessions_per_hour",
  "cascade_percent",
] as const;
type Settable = (typeof SETTABLE)[number];

/** The cascade share counts only once the window holds this many agents' sessions. */
export const CASCADE_MIN_SESSIONS = 5;

export const METRIC_INFO: Record<NoiseMetric, { label: string; window: "hour" | "day"; max: number }> = {
  validation_failures_per_hour: {
    label: "failed validations of agents' sessions in the last hour",
    window: "hour",
    max: 10000,
  },
  rejections_per_day: { label: "agents' sessions rejected in the last 24 hours", window: "day", max: 10000 },
  duplicates_per_hour: {
    label: "near-duplicate refusals of agents in the last hour",
    window: "hour",
    max: 10000,
  },
  sessions_per_hour: { label: "agents' sessions opened in the last hour", window: "hour", max: 100000 },
  cascade_percent: {
    label: "% of the agents' sessions of the last 24 hours acting on AI-generated context",
    window: "day",
    max: 100,
  },
};

const threshold = (max: number) => z.number().int().min(1).max(max).nullable().optional();
export const noiseSchema = z
  .object({
    rejections_per_day: threshold(10000),
    duplicates_per_hour: threshold(10000),
    sessions_per_hour: threshold(100000),
    cascade_percent: threshold(100),
  })
  .strict();

export interface MetricState {
  metric: NoiseMetric;
  label: string;
  value: number;
  threshold: number | null;
  /** For cascade_percent: the agents' sessions of the window and the minimum counted. */
  sessions?: number;
  min_sessions?: number;
}

export interface Trip {
  metric: NoiseMetric;
  value: number;
  threshold: number;
  reason: string;
  at?: string;
}

const HOUR = sql<Date>`now() - interval '1 hour'`;
const DAY = sql<Date>`now() - interval '24 hours'`;

async function thresholdsOf(db: Db, projectId: string) {
  const [project, row] = await Promise.all([
    db
      .selectFrom("projects")
      .select(["circuit_max_failures", "agents_paused_at"])
      .where("id", "=", projectId)
      .executeTakeFirst(),
    db
      .selectFrom("project_noise_thresholds")
      .selectAll()
      .where("project_id", "=", projectId)
      .executeTakeFirst(),
  ]);
  const limits: Record<NoiseMetric, number | null> = {
    validation_failures_per_hour: project?.circuit_max_failures ?? null,
    rejections_per_day: row?.rejections_per_day ?? null,
    duplicates_per_hour: row?.duplicates_per_hour ?? null,
    sessions_per_hour: row?.sessions_per_hour ?? null,
    cascade_percent: row?.cascade_percent ?? null,
  };
  return { limits, paused: Boolean(project?.agents_paused_at), exists: Boolean(project), row };
}

/** Every metric's current value next to its threshold. */
export async function measureNoise(db: Db, projectId: string): Promise<MetricState[]> {
  const { limits } = await thresholdsOf(db, projectId);
  const [failures, agents, refusals] = await Promise.all([
    db
      .selectFrom("validation_runs as r")
      .innerJoin("sessions as s", "s.id", "r.session_id")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("r.project_id", "=", projectId)
      .where("r.status", "=", "failed")
      .where("s.agent_name", "is not", null)
      .where("r.created_at", ">", HOUR)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("sessions")
      .select([
        sql<number>`count(*) FILTER (WHERE created_at > ${HOUR})::int`.as("hour"),
        sql<number>`count(*) FILTER (WHERE created_at > ${DAY})::int`.as("day"),
        sql<number>`count(*) FILTER (WHERE created_at > ${DAY}
          AND (generation_depth >= 2 OR prompt_ai_reason IS NOT NULL))::int`.as("cascades"),
        sql<number>`count(*) FILTER (WHERE status = 'rejected' AND updated_at > ${DAY})::int`.as("rejected"),
      ])
      .where("project_id", "=", projectId)
      .where("agent_name", "is not", null)
      // Rejections are counted by when they happened; a session rejected today may be older.
      .where("updated_at", ">", sql<Date>`now() - interval '24 hours'`)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("agent_refusals")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("project_id", "=", projectId)
      .where("rule", "=", "near-duplicate")
      .where("created_at", ">", HOUR)
      .executeTakeFirstOrThrow(),
  ]);
  const values: Record<NoiseMetric, number> = {
    validation_failures_per_hour: failures.n,
    rejections_per_day: agents.rejected,
    duplicates_per_hour: refusals.n,
    sessions_per_hour: agents.hour,
    cascade_percent: agents.day ? Math.floor((100 * agents.cascades) / agents.day) : 0,
  };
  return NOISE_METRICS.map((metric) => ({
    metric,
    label: METRIC_INFO[metric].label,
    value: values[metric],
    threshold: limits[metric],
    ...(metric === "cascade_percent" ? { sessions: agents.day, min_sessions: CASCADE_MIN_SESSIONS } : {}),
  }));
}

/** The first metric at or past its threshold, or null. */
export function crossed(states: MetricState[]): Trip | null {
  for (const s of states) {
    if (s.threshold === null || s.value < s.threshold) continue;
    if (s.metric === "cascade_percent" && (s.sessions ?? 0) < CASCADE_MIN_SESSIONS) continue;
    const reason =
      s.metric === "validation_failures_per_hour"
        ? `${s.value} failed validations of agents' sessions in the last hour (threshold ${s.threshold})`
        : s.metric === "cascade_percent"
          ? `${s.value}% of the ${s.sessions} agents' sessions of the last 24 hours act on AI-generated context (threshold ${s.threshold}%)`
          : `${s.value} ${s.label} (threshold ${s.threshold})`;
    return { metric: s.metric, value: s.value, threshold: s.threshold, reason };
  }
  return null;
}

/** Pauses agents' contributions for a trip, once: audit, event, last trip and the maintainers' alert. */
async function trip(db: Db, projectId: string, t: Trip): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("projects")
      .set({ agents_paused_at: new Date(), agents_paused_reason: t.reason, agents_paused_by: BREAKER })
      .where("id", "=", projectId)
      .where("agents_paused_at", "is", null)
      .returning(["id", "handle", "owner_id"])
      .executeTakeFirst();
    if (!row) return false;
    const data = { reason: t.reason, by: BREAKER, metric: t.metric, value: t.value, threshold: t.threshold };
    await recordAudit(
      trx,
      { user: null, ip: "" },
      { action: "project.agents_pause", targetType: "project", targetId: projectId, projectId, data },
    );
    const last = JSON.stringify({ ...t, at: new Date().toISOString() });
    await trx
      .insertInto("project_noise_thresholds")
      .values({ project_id: projectId, last_trip: last, updated_by: null })
      .onConflict((oc) => oc.column("project_id").doUpdateSet({ last_trip: last }))
      .execute();
    await recordProjectEvent(trx, projectId, "agents.paused", data);
    await alertProjectMaintainers(trx, projectId, {
      kind: "agents.paused",
      subject: "Agents' contributions paused by the circuit breaker",
      text: `The circuit breaker paused agents' contributions: ${t.reason}.\n\nAgents' sessions can neither open nor land until a maintainer resumes them from the project's settings (or POST /api/v1/projects/…/agents/resume).`,
      everyHours: 1,
    });
    return true;
  });
}

/**
 * Checks the project's noise metrics and trips the breaker when one reached its threshold
 * (agents running). Returns the trip, or null when nothing tripped.
 */
export async function checkNoise(db: Db, projectId: string): Promise<Trip | null> {
  const { limits, paused, exists } = await thresholdsOf(db, projectId);
  if (!exists || paused || NOISE_METRICS.every((m) => limits[m] === null)) return null;
  const t = crossed(await measureNoise(db, projectId));
  return t && (await trip(db, projectId, t)) ? t : null;
}

/** An agent's attempt refused by the policy (near-duplicate): counted, then the metrics checked. */
export async function noteRefusal(
  db: Db,
  refusal: { projectId: string; rule: string; authorId: string | null; agent: string },
) {
  await db
    .insertInto("agent_refusals")
    .values({
      project_id: refusal.projectId,
      rule: refusal.rule,
      author_id: refusal.authorId,
      agent_name: refusal.agent,
    })
    .execute();
  await checkNoise(db, refusal.projectId);
}

/** After an agent's (or AI-origin) session opened: flag an AI-generated prompt, check the metrics. */
export async function afterAgentSessionOpened(db: Db, session: SessionRow): Promise<SessionRow> {
  if (!session.agent_name && session.origin === "human") return session;
  const row = await flagAiPrompt(db, session);
  if (row.agent_name) await checkNoise(db, row.project_id);
  return row;
}

/** The noise view: each metric's value and threshold, the pause and the last trip. */
export async function noiseView(db: Db, project: ProjectWithOwner) {
  const [metrics, { row }] = await Promise.all([measureNoise(db, project.id), thresholdsOf(db, project.id)]);
  return {
    metrics,
    cascade_min_sessions: CASCADE_MIN_SESSIONS,
    paused: project.agents_paused_at
      ? {
          at: project.agents_paused_at.toISOString(),
          by: project.agents_paused_by,
          reason: project.agents_paused_reason,
        }
      : null,
    last_trip: (row?.last_trip as Trip | null | undefined) ?? null,
    updated_at: row?.updated_by ? row.updated_at.toISOString() : null,
    updated_by: row?.updated_by ?? null,
  };
}

export async function getNoise(db: Db, viewer: Viewer, owner: string, handle: string) {
  const { project } = await getProject(db, viewer, owner, handle, "read");
  return noiseView(db, project);
}

/** A project administrator sets noise thresholds (null turns one off; absent keeps it). Audited. */
export async function setNoiseAs(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  const patch = requireValid(noiseSchema, input ?? {});
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("project_noise_thresholds")
      .selectAll()
      .where("project_id", "=", project.id)
      .executeTakeFirst();
    const pick = (r: Partial<Record<Settable, number | null>> | undefined) =>
      Object.fromEntries(SETTABLE.map((k) => [k, r?.[k] ?? null])) as Record<Settable, number | null>;
    const old = pick(before);
    const next = { ...old, ...pick({ ...old, ...patch }) };
    const by = viewer.user?.handle ?? null;
    await trx
      .insertInto("project_noise_thresholds")
      .values({ project_id: project.id, ...next, updated_by: by })
      .onConflict((oc) =>
        oc.column("project_id").doUpdateSet({ ...next, updated_by: by, updated_at: new Date() }),
      )
      .execute();
    await recordAudit(trx, viewer, {
      action: "project.noise_update",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: { before: old, after: next },
    });
  });
  // A lower threshold may already be crossed.
  await checkNoise(db, project.id);
  const { project: fresh } = await getProject(db, viewer, owner, handle, "admin");
  return noiseView(db, fresh);
}
