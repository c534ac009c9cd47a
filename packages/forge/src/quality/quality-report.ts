// The quality report, computed from plain rows (quality-service.ts reads them): weekly
// buckets over a window ending with today (UTC), each a flat row of numbers (the same columns as the CSV)
// for people's and agents' sessions side by side; totals over the window; a comparison per
// model; token efficiency per agent (trust/efficiency.ts); and the alerts (quality-alerts.ts).
import { efficiency } from "../trust/efficiency.ts";
import { type Alert, alertsFor } from "./quality-alerts.ts";

export const DEFAULT_WEEKS = 12;
export const MAX_WEEKS = 52;
export const WEEK_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;

/** One session as the report needs it. */
export interface QualitySession {
  id: string;
  project_id: string;
  /** "owner/handle", for the instance's breakdown by project. */
  project?: string;
  /** An agent's session or one whose origin is not "human" (as meta/landingStats counts it). */
  ai: boolean;
  agent: string | null;
  model: string | null;
  goal: string;
  status: "open" | "landed" | "rejected" | "abandoned" | string;
  created_at: Date;
  /** When it landed, was rejected or abandoned; null while open. */
  closed_at: Date | null;
  /** When a person decided (approved, or rejected); null when nobody reviewed it. */
  decided_at: Date | null;
  /** When it waited for that decision from: ready for review, else opened. */
  review_from: Date;
  tokens: number;
  lines: number;
  /** Rejected after passing validation, or refused as a near-duplicate (trust/agent-stats.ts). */
  slop: boolean;
}

/** One finished validation run. */
export interface QualityRun {
  at: Date;
  ai: boolean;
  model: string | null;
  status: "passed" | "failed" | "error" | string;
  score: number | null;
}

const round = (n: number | null, places = 2) =>
  n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** places) / 10 ** places;
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : null);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
function median(xs: number[]) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The numbers of one class of sessions (people's or agents') over a period: those opened in
 * it, those closed in it (landed, rejected, abandoned), those decided by a reviewer in it, and
 * the validation runs that finished in it.
 */
export function classStats(opened: QualitySession[], closed: QualitySession[], runs: QualityRun[]) {
  const count = (status: string) => closed.filter((s) => s.status === status).length;
  const landed = count("landed");
  const rejected = count("rejected");
  const reviewed = closed.filter((s) => s.decided_at !== null);
  const hours = reviewed.map((s) => (s.decided_at!.getTime() - s.review_from.getTime()) / HOUR_MS);
  const passed = runs.filter((r) => r.status === "passed").length;
  const failed = runs.filter((r) => r.status === "failed").length;
  const scores = runs.flatMap((r) => (r.score === null ? [] : [Number(r.score)]));
  const tokens = closed.reduce((n, s) => n + s.tokens, 0);
  const landedLines = closed.filter((s) => s.status === "landed").reduce((n, s) => n + s.lines, 0);
  return {
    opened: opened.length,
    landed,
    rejected,
    abandoned: count("abandoned"),
    rejection_rate: ratio(rejected, landed + rejected),
    reviewed: reviewed.length,
    review_hours: round(mean(hours)),
    review_hours_median: round(median(hours)),
    slop: closed.filter((s) => s.slop).length,
    slop_rate: ratio(closed.filter((s) => s.slop).length, closed.length),
    validations_passed: passed,
    validations_failed: failed,
    validations_error: runs.filter((r) => r.status === "error").length,
    validation_pass_rate: ratio(passed, passed + failed),
    validation_score: round(mean(scores), 1),
    tokens,
    landed_lines: landedLines,
    tokens_per_landed_line: landedLines > 0 ? round(tokens / landedLines) : null,
  };
}
export type ClassStats = ReturnType<typeof classStats>;

/** People's and agents' numbers over [from, to), and agents' share of the sessions opened. */
export function periodStats(sessions: QualitySession[], runs: QualityRun[], from: number, to: number) {
  const within = (d: Date | null) => d !== null && d.getTime() >= from && d.getTime() < to;
  const of = (ai: boolean) =>
    classStats(
      sessions.filter((s) => s.ai === ai && within(s.created_at)),
      sessions.filter((s) => s.ai === ai && within(s.closed_at)),
      runs.filter((r) => r.ai === ai && within(r.at)),
    );
  const human = of(false);
  const ai = of(true);
  return { human, ai, ai_share: ratio(ai.opened, ai.opened + human.opened) };
}
export type PeriodStats = ReturnType<typeof periodStats>;

/** The columns of a bucket, in CSV order: its bounds, agents' share, then human_* and ai_*. */
export const CLASS_COLUMNS = [
  "opened",
  "landed",
  "rejected",
  "abandoned",
  "rejection_rate",
  "reviewed",
  "review_hours",
  "review_hours_median",
  "slop",
  "slop_rate",
  "validations_passed",
  "validations_failed",
  "validations_error",
  "validation_pass_rate",
  "validation_score",
  "tokens",
  "landed_lines",
  "tokens_per_landed_line",
] as const satisfies readonly (keyof ClassStats)[];
export const SERIES_COLUMNS = [
  "week_start",
  "week_end",
  "ai_share",
  ...CLASS_COLUMNS.map((c) => `human_${c}` as const),
  ...CLASS_COLUMNS.map((c) => `ai_${c}` as const),
] as const;
export type SeriesRow = Record<(typeof SERIES_COLUMNS)[number], string | number | null>;

function flatten(from: number, to: number, p: PeriodStats): SeriesRow {
  const row: Record<string, string | number | null> = {
    week_start: new Date(from).toISOString(),
    week_end: new Date(to).toISOString(),
    ai_share: p.ai_share,
  };
  for (const c of CLASS_COLUMNS) {
    row[`human_${c}`] = p.human[c];
    row[`ai_${c}`] = p.ai[c];
  }
  return row as SeriesRow;
}

export interface ReportOptions {
  now: Date;
  weeks: number;
  /** Add `by_project` (the instance's report): each project's numbers and alerts. */
  byProject?: boolean;
}

/** Projects listed in `by_project` at most, those with the most sessions first. */
export const MAX_PROJECTS = 50;

export function clampWeeks(weeks: number | undefined) {
  if (weeks === undefined || !Number.isFinite(weeks)) return DEFAULT_WEEKS;
  return Math.min(MAX_WEEKS, Math.max(1, Math.floor(weeks)));
}

const DAY_MS = 86_400_000;
/** The window's end: the midnight (UTC) after `now`, so the weeks' bounds stay put all day. */
export const windowEnd = (o: ReportOptions) => Math.floor(o.now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
/** The window's start: `weeks` whole weeks before its end (the last week ends with today). */
export const windowStart = (o: ReportOptions) => windowEnd(o) - o.weeks * WEEK_MS;

export function buildReport(sessions: QualitySession[], runs: QualityRun[], o: ReportOptions) {
  const end = windowEnd(o);
  const start = windowStart(o);
  const buckets = Array.from({ length: o.weeks }, (_, i) => {
    const from = start + i * WEEK_MS;
    const to = from + WEEK_MS;
    return { from, to, stats: periodStats(sessions, runs, from, to) };
  });
  const totals = periodStats(sessions, runs, start, end);
  const within = (d: Date | null) => d !== null && d.getTime() >= start && d.getTime() < end;

  const models = new Map<string, { sessions: QualitySession[]; runs: QualityRun[] }>();
  for (const s of sessions.filter((s) => s.ai && (within(s.created_at) || within(s.closed_at)))) {
    const k = s.model ?? "(unknown)";
    models.set(k, models.get(k) ?? { sessions: [], runs: [] });
    models.get(k)!.sessions.push(s);
  }
  for (const r of runs.filter((r) => r.ai && within(r.at))) {
    const k = r.model ?? "(unknown)";
    models.set(k, models.get(k) ?? { sessions: [], runs: [] });
    models.get(k)!.runs.push(r);
  }
  const byModel = [...models]
    .map(([model, g]) => ({
      model,
      ...classStats(
        g.sessions.filter((s) => within(s.created_at)),
        g.sessions.filter((s) => within(s.closed_at)),
        g.runs,
      ),
    }))
    .sort((a, b) => b.opened + b.landed - (a.opened + a.landed) || a.model.localeCompare(b.model));

  const agents = new Map<string, QualitySession[]>();
  for (const s of sessions)
    if (s.agent && (within(s.created_at) || within(s.closed_at)))
      agents.set(s.agent, [...(agents.get(s.agent) ?? []), s]);
  const byAgent = [...agents]
    .map(([agent, list]) => ({
      agent,
      sessions: list.length,
      landed: list.filter((s) => s.status === "landed").length,
      rejected: list.filter((s) => s.status === "rejected").length,
      ...efficiency(
        list.map((s) => ({
          project: s.project_id,
          goal: s.goal,
          status: s.status,
          at: s.closed_at ?? s.created_at,
          tokens: s.tokens,
          lines: s.status === "landed" ? s.lines : 0,
        })),
        o.now,
      ),
    }))
    .sort(
      (a, b) =>
        (a.tokens_per_landed_line ?? Number.POSITIVE_INFINITY) -
          (b.tokens_per_landed_line ?? Number.POSITIVE_INFINITY) || a.agent.localeCompare(b.agent),
    );

  const alerts: Alert[] = alertsFor(sessions, runs, buckets, byAgent);
  return {
    ...(o.byProject ? { by_project: byProject(sessions, buckets, start, end) } : {}),
    window: {
      weeks: o.weeks,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    },
    series: buckets.map((b) => flatten(b.from, b.to, b.stats)),
    totals: { ai_share: totals.ai_share, human: totals.human, ai: totals.ai },
    by_model: byModel,
    by_agent: byAgent,
    alerts,
  };
}
export type QualityReport = ReturnType<typeof buildReport>;

/**
 * Each project's totals over the window and the kinds of its alerts (from its sessions; the
 * validation runs are not split by project, so the run-based alerts are the instance's only).
 */
function byProject(
  sessions: QualitySession[],
  buckets: { from: number; to: number }[],
  start: number,
  end: number,
) {
  const groups = new Map<string, QualitySession[]>();
  for (const s of sessions) {
    const k = s.project ?? s.project_id;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups]
    .map(([project, list]) => {
      const t = periodStats(list, [], start, end);
      return {
        project,
        opened: t.human.opened + t.ai.opened,
        ai_opened: t.ai.opened,
        ai_share: t.ai_share,
        human_rejection_rate: t.human.rejection_rate,
        ai_rejection_rate: t.ai.rejection_rate,
        ai_review_hours: t.ai.review_hours,
        ai_slop: t.ai.slop,
        alerts: alertsFor(list, [], buckets, []).map((a) => a.kind),
      };
    })
    .filter((p) => p.opened > 0 || p.alerts.length > 0)
    .sort((a, b) => b.opened - a.opened || a.project.localeCompare(b.project))
    .slice(0, MAX_PROJECTS);
}
