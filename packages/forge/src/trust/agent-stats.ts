// An agent's record, read from its sessions in the projects the viewer may read (so private
// work never shows through, not even as a number): each session's outcome (landed, rejected,
// abandoned, validation runs passed and failed, extra attempts, slop) and track, then the
// reputation overall, per model and per account (trust/reputation.ts).
import { type RawBuilder, sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { readableBy } from "../social/social-columns.ts";
import { efficiency } from "./efficiency.ts";
import { HALF_LIFE_DAYS, type Outcome, PRIOR, reputation, WEIGHTS } from "./reputation.ts";
import { trackOf } from "./tracks.ts";

/** Sessions read per agent, newest first: enough for a score whose old evidence has faded. */
const MAX_SESSIONS = 5000;

export interface Row {
  id: string;
  created_at: Date;
  updated_at: Date;
  duplicate_of: string | null;
  status: string;
  goal: string;
  model: string | null;
  agent: string | null;
  account: string;
  at: Date;
  passed: number;
  failed: number;
  attempts: number;
  paths: string[] | null;
  project_id: string;
  tokens: number;
  lines: number;
}

export function outcomeOf(r: Row): Outcome {
  return {
    track: trackOf(r.goal, r.paths ?? []),
    at: new Date(r.at),
    landed: r.status === "landed",
    rejected: r.status === "rejected",
    abandoned: r.status === "abandoned",
    // A change refused as a near-duplicate of another's is slop, whatever its gate said.
    passed: r.duplicate_of ? 0 : Number(r.passed),
    failed: Number(r.failed),
    slop: (r.status === "rejected" && Number(r.passed) > 0) || r.duplicate_of !== null,
    extra: Math.max(0, Number(r.attempts) - 1),
  };
}

function groupScores(rows: Row[], outcomes: Outcome[], key: (r: Row) => string | null, now: Date) {
  const groups = new Map<string, Outcome[]>();
  rows.forEach((r, i) => {
    const k = key(r) ?? "(none)";
    groups.set(k, [...(groups.get(k) ?? []), outcomes[i]!]);
  });
  return [...groups].map(([name, list]) => ({
    name,
    score: reputation(list, now).score,
    sessions: list.length,
  }));
}

/**
 * The sessions matching `where` (over sessions s joined with projects p), newest first, each
 * with its validation runs counted in one grouped join.
 */
export async function outcomeRows(db: Db, where: RawBuilder<boolean>, limit = MAX_SESSIONS): Promise<Row[]> {
  const { rows } = await sql<Row>`
    SELECT s.id, s.status, s.goal, s.agent_model AS model, s.agent_name AS agent, s.author_handle AS account, s.project_id,
           s.created_at, s.updated_at, s.duplicate_of,
           (s.tokens_input + s.tokens_output)::float8 AS tokens, (s.lines_added + s.lines_removed) AS lines,
           coalesce(s.landed_at, s.updated_at) AS at,
           coalesce(v.passed, 0)::int AS passed, coalesce(v.failed, 0)::int AS failed,
           coalesce(v.attempts, 0)::int AS attempts,
           CASE WHEN s.landed_position IS NULL THEN NULL ELSE ARRAY(
             SELECT lp.path FROM landing_paths lp
             WHERE lp.project_id = s.project_id AND lp.position = s.landed_position LIMIT 200) END AS paths
    FROM sessions s JOIN projects p ON p.id = s.project_id
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE r.status = 'passed') AS passed,
             count(*) FILTER (WHERE r.status = 'failed') AS failed,
             max(r.iteration) AS attempts
      FROM validation_runs r WHERE r.session_id = s.id) v ON true
    WHERE ${where}
    ORDER BY s.id DESC LIMIT ${limit}`.execute(db);
  return rows;
}

export async function agentRecord(db: Db, viewer: Viewer, agent: string, now = new Date()) {
  const rows = await outcomeRows(db, sql`s.agent_name = ${agent} AND ${readableBy(viewer, "p")}`);
  if (rows.length === 0) return null;
  const outcomes = rows.map(outcomeOf);
  const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
  const total = (f: (o: Outcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  return {
    agent,
    reputation: reputation(outcomes, now),
    inputs: {
      sessions: rows.length,
      open: rows.filter((r) => r.status === "open").length,
      landed: count((o) => o.landed),
      rejected: count((o) => o.rejected),
      abandoned: count((o) => o.abandoned),
      validations_passed: total((o) => o.passed),
      validations_failed: total((o) => o.failed),
      extra_attempts: total((o) => o.extra),
      slop: count((o) => o.slop),
    },
    efficiency: efficiency(
      rows.map((r) => ({
        project: r.project_id,
        goal: r.goal,
        status: r.status,
        at: new Date(r.at),
        tokens: Number(r.tokens),
        lines: Number(r.lines),
      })),
      now,
    ),
    by_model: groupScores(rows, outcomes, (r) => r.model, now),
    by_account: groupScores(rows, outcomes, (r) => r.account, now),
    formula: { half_life_days: HALF_LIFE_DAYS, prior: PRIOR, weights: WEIGHTS },
    truncated: rows.length === MAX_SESSIONS,
  };
}

export type AgentRecord = NonNullable<Awaited<ReturnType<typeof agentRecord>>>;

/**
 * The agents an account runs, each with its reputation from this account's sessions (in
 * projects the viewer may read), most active first: the figures on the account's profile.
 */
export async function accountAgents(db: Db, viewer: Viewer, accountId: string, now = new Date()) {
  const rows = await outcomeRows(
    db,
    sql`s.author_id = ${accountId} AND s.agent_name IS NOT NULL AND ${readableBy(viewer, "p")}`,
    5000,
  );
  const outcomes = rows.map(outcomeOf);
  const landed = new Map<string, number>();
  rows.forEach((r, i) => {
    if (outcomes[i]!.landed) landed.set(r.agent!, (landed.get(r.agent!) ?? 0) + 1);
  });
  return groupScores(rows, outcomes, (r) => r.agent, now)
    .map((g) => ({
      agent: g.name,
      reputation: g.score,
      sessions: g.sessions,
      landed: landed.get(g.name) ?? 0,
    }))
    .sort((a, b) => b.sessions - a.sessions || a.agent.localeCompare(b.agent))
    .slice(0, 20);
}

/** Agents with at least one landing in projects the viewer may read, most token-efficient first. */
export async function agentLeaderboard(db: Db, viewer: Viewer, limit = 50) {
  const { rows } = await sql<{
    agent: string;
    sessions: number;
    landed: number;
    tokens: number;
    landed_lines: number;
    wasted_tokens: number;
  }>`
    SELECT s.agent_name AS agent, count(*)::int AS sessions,
           count(*) FILTER (WHERE s.status = 'landed')::int AS landed,
           sum(s.tokens_input + s.tokens_output)::float8 AS tokens,
           coalesce(sum(s.lines_added + s.lines_removed) FILTER (WHERE s.status = 'landed'), 0)::float8 AS landed_lines,
           coalesce(sum(s.tokens_input + s.tokens_output) FILTER (WHERE s.status IN ('abandoned', 'rejected')), 0)::float8 AS wasted_tokens
    FROM sessions s JOIN projects p ON p.id = s.project_id
    WHERE s.agent_name IS NOT NULL AND ${readableBy(viewer, "p")}
    GROUP BY s.agent_name
    HAVING count(*) FILTER (WHERE s.status = 'landed') > 0
    ORDER BY CASE WHEN coalesce(sum(s.lines_added + s.lines_removed) FILTER (WHERE s.status = 'landed'), 0) = 0 THEN 1 ELSE 0 END,
             sum(s.tokens_input + s.tokens_output)::float8 /
               nullif(sum(s.lines_added + s.lines_removed) FILTER (WHERE s.status = 'landed'), 0),
             s.agent_name
    LIMIT ${Math.min(Math.max(limit, 1), 200)}`.execute(db);
  return rows.map((r) => ({
    ...r,
    tokens: Number(r.tokens),
    landed_lines: Number(r.landed_lines),
    wasted_tokens: Number(r.wasted_tokens),
    tokens_per_landed_line:
      Number(r.landed_lines) > 0 ? Math.round((Number(r.tokens) / Number(r.landed_lines)) * 100) / 100 : null,
  }));
}
