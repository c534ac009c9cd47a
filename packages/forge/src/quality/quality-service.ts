// Reads the sessions and validation runs a quality report is made of (quality-report.ts): one
// project's, or every project the viewer may read (public ones, and private ones only for
// those who may read them: a private project never shows through, not even as a number).
import { type RawBuilder, sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { getProject } from "../projects/projects-service.ts";
import { readableBy } from "../social/social-columns.ts";
import { THRESHOLDS } from "./quality-alerts.ts";
import {
  buildReport,
  clampWeeks,
  type QualityRun,
  type QualitySession,
  windowEnd,
  windowStart,
} from "./quality-report.ts";

/** Rows read at most (newest first); `truncated` says when a window held more. */
export const MAX_SESSIONS = 50_000;
export const MAX_RUNS = 100_000;

const AI = sql<boolean>`(s.agent_name IS NOT NULL OR s.origin <> 'human')`;
const CLOSED = sql<Date | null>`CASE WHEN s.status = 'landed' THEN coalesce(s.landed_at, s.updated_at)
  WHEN s.status IN ('rejected', 'abandoned') THEN s.updated_at END`;

async function readRows(db: Db, where: RawBuilder<boolean>, start: Date, end: Date) {
  const sessions = await sql<QualitySession & { passed: number; duplicate_of: string | null }>`
    SELECT s.id, s.project_id, pa.handle || '/' || p.handle AS project, ${AI} AS ai, s.agent_name AS agent, s.agent_model AS model, s.goal, s.status,
           s.created_at, ${CLOSED} AS closed_at,
           CASE WHEN s.status = 'landed' AND (s.approved_at IS NOT NULL OR s.ready_at IS NOT NULL)
                  THEN coalesce(s.approved_at, s.landed_at)
                WHEN s.status = 'rejected' THEN s.updated_at END AS decided_at,
           coalesce(s.ready_at, s.created_at) AS review_from,
           (s.tokens_input + s.tokens_output)::float8 AS tokens, (s.lines_added + s.lines_removed)::int AS lines,
           s.duplicate_of,
           (SELECT count(*) FROM validation_runs r WHERE r.session_id = s.id AND r.status = 'passed')::int AS passed
    FROM sessions s JOIN projects p ON p.id = s.project_id JOIN accounts pa ON pa.id = p.owner_id
    WHERE ${where} AND s.created_at <= ${end}
      AND (s.created_at >= ${start} OR (s.status <> 'open' AND ${CLOSED} >= ${start}))
    ORDER BY s.created_at DESC LIMIT ${MAX_SESSIONS}`.execute(db);
  const runs = await sql<QualityRun>`
    SELECT coalesce(r.finished_at, r.created_at) AS at, r.status, r.aggregate_score::float8 AS score,
           ${AI} AS ai, s.agent_model AS model
    FROM validation_runs r JOIN sessions s ON s.id = r.session_id JOIN projects p ON p.id = s.project_id
    WHERE ${where} AND r.status IN ('passed', 'failed', 'error')
      AND coalesce(r.finished_at, r.created_at) >= ${start} AND coalesce(r.finished_at, r.created_at) <= ${end}
    ORDER BY r.created_at DESC LIMIT ${MAX_RUNS}`.execute(db);
  const date = (d: Date | string | null) => (d === null ? null : new Date(d));
  return {
    sessions: sessions.rows.map(
      (s): QualitySession => ({
        id: s.id,
        project_id: s.project_id,
        project: s.project,
        ai: Boolean(s.ai),
        agent: s.agent,
        model: s.model,
        goal: s.goal,
        status: s.status,
        created_at: new Date(s.created_at),
        closed_at: date(s.closed_at),
        decided_at: date(s.decided_at),
        review_from: new Date(s.review_from),
        tokens: Number(s.tokens),
        lines: Number(s.lines),
        slop: (s.status === "rejected" && Number(s.passed) > 0) || s.duplicate_of !== null,
      }),
    ),
    runs: runs.rows.map((r) => ({
      at: new Date(r.at),
      ai: Boolean(r.ai),
      model: r.model,
      status: r.status,
      score: r.score === null ? null : Number(r.score),
    })),
    truncated: sessions.rows.length === MAX_SESSIONS || runs.rows.length === MAX_RUNS,
  };
}

export interface QualityQuery {
  weeks?: number;
  now?: Date;
}

async function report(db: Db, where: RawBuilder<boolean>, q: QualityQuery, byProject = false) {
  const o = { now: q.now ?? new Date(), weeks: clampWeeks(q.weeks), byProject };
  const rows = await readRows(db, where, new Date(windowStart(o)), new Date(windowEnd(o)));
  return { ...buildReport(rows.sessions, rows.runs, o), thresholds: THRESHOLDS, truncated: rows.truncated };
}

/** One project's report (404 to whoever may not read it). */
export async function projectQuality(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  q: QualityQuery = {},
) {
  const { project } = await getProject(db, viewer, owner, handle);
  const r = await report(db, sql<boolean>`s.project_id = ${project.id}`, q);
  return { project, report: { scope: `${project.owner_handle}/${project.handle}`, ...r } };
}

/** One project's report by id, for the forge's own use (alerts); no access check. */
export async function projectQualityById(db: Db, projectId: string, q: QualityQuery = {}) {
  return report(db, sql<boolean>`s.project_id = ${projectId}`, q);
}

/** The instance's report: every project the viewer may read. */
export async function instanceQuality(db: Db, viewer: Viewer, q: QualityQuery = {}) {
  return { scope: "instance", ...(await report(db, readableBy(viewer, "p"), q, true)) };
}

export type QualityReportJson = Awaited<ReturnType<typeof instanceQuality>>;
