// An agent's record, read from its sessions in the projects the viewer may read (so private
// work never shows through, not even as a number): each session's outcome (landed, rejected,
// abandoned, validation runs passed and failed, extra attempts, slop) and track, then the
// reputation overall, per model and per account (trust/reputation.ts).
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { readableBy } from "../social/social-columns.ts";
import { HALF_LIFE_DAYS, type Outcome, PRIOR, reputation, WEIGHTS } from "./reputation.ts";
import { trackOf } from "./tracks.ts";

/** Sessions read per agent, newest first: enough for a score whose old evidence has faded. */
const MAX_SESSIONS = 5000;

interface Row {
  id: string;
  status: string;
  goal: string;
  model: string | null;
  account: string;
  at: Date;
  passed: number;
  failed: number;
  attempts: number;
  paths: string[] | null;
}

function outcomeOf(r: Row): Outcome {
  return {
    track: trackOf(r.goal, r.paths ?? []),
    at: new Date(r.at),
    landed: r.status === "landed",
    rejected: r.status === "rejected",
    abandoned: r.status === "abandoned",
    passed: Number(r.passed),
    failed: Number(r.failed),
    slop: r.status === "rejected" && Number(r.passed) > 0,
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

export async function agentRecord(db: Db, viewer: Viewer, agent: string, now = new Date()) {
  const { rows } = await sql<Row>`
    SELECT s.id, s.status, s.goal, s.agent_model AS model, s.author_handle AS account,
           coalesce(s.landed_at, s.updated_at) AS at,
           (SELECT count(*) FROM validation_runs r WHERE r.session_id = s.id AND r.status = 'passed')::int AS passed,
           (SELECT count(*) FROM validation_runs r WHERE r.session_id = s.id AND r.status = 'failed')::int AS failed,
           (SELECT coalesce(max(r.iteration), 0) FROM validation_runs r WHERE r.session_id = s.id)::int AS attempts,
           CASE WHEN s.landed_position IS NULL THEN NULL ELSE ARRAY(
             SELECT lp.path FROM landing_paths lp
             WHERE lp.project_id = s.project_id AND lp.position = s.landed_position LIMIT 200) END AS paths
    FROM sessions s JOIN projects p ON p.id = s.project_id
    WHERE s.agent_name = ${agent} AND ${readableBy(viewer, "p")}
    ORDER BY s.id DESC LIMIT ${MAX_SESSIONS}`.execute(db);
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
    by_model: groupScores(rows, outcomes, (r) => r.model, now),
    by_account: groupScores(rows, outcomes, (r) => r.account, now),
    formula: { half_life_days: HALF_LIFE_DAYS, prior: PRIOR, weights: WEIGHTS },
    truncated: rows.length === MAX_SESSIONS,
  };
}

export type AgentRecord = NonNullable<Awaited<ReturnType<typeof agentRecord>>>;
