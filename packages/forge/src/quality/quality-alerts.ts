// Alerts for maintainers when agents' contributions are getting worse: the last weeks of the
// window (up to four) against as many weeks before them, over agents' sessions only. Each alert
// carries the numbers that raised it and its threshold; a minimum of evidence in both periods
// keeps one bad session from raising anything. Every threshold is a constant here, documented
// in docs/trust.md ("Quality dashboard").
import { DEGRADING_RATIO } from "../trust/efficiency.ts";
import { type PeriodStats, periodStats, type QualityRun, type QualitySession } from "./quality-report.ts";

/** Weeks compared: the last PERIOD_WEEKS against the PERIOD_WEEKS before (fewer in a short window). */
export const PERIOD_WEEKS = 4;
/** Agents' sessions decided (landed or rejected) needed in each period to compare rejection rates. */
export const MIN_DECIDED = 5;
/** Rejection rate up by at least this much (0.15 = 15 points). */
export const REJECTION_RISE = 0.15;
/** Validation runs needed in each period to compare pass rates and scores. */
export const MIN_RUNS = 5;
/** Validation pass rate down by at least this much. */
export const PASS_RATE_DROP = 0.15;
/** Mean validation score (0-100) down by at least this many points. */
export const SCORE_DROP = 10;
/** Agents' share of the sessions opened up by at least this much… */
export const AI_SHARE_RISE = 0.1;
/** …while agents' sessions wait this many times longer for a decision, with MIN_REVIEWED of them decided in each period. */
export const REVIEW_GROWTH = 1.5;
export const MIN_REVIEWED = 3;
/** Share of agents' closed sessions that were slop up by at least this much, with MIN_SLOP of them recently. */
export const SLOP_RISE = 0.1;
export const MIN_SLOP = 2;
/** Closed agents' sessions needed in each period to compare slop rates. */
export const MIN_CLOSED = 5;

export const THRESHOLDS = {
  period_weeks: PERIOD_WEEKS,
  min_decided: MIN_DECIDED,
  rejection_rise: REJECTION_RISE,
  min_runs: MIN_RUNS,
  pass_rate_drop: PASS_RATE_DROP,
  score_drop: SCORE_DROP,
  ai_share_rise: AI_SHARE_RISE,
  review_growth: REVIEW_GROWTH,
  min_reviewed: MIN_REVIEWED,
  slop_rise: SLOP_RISE,
  min_slop: MIN_SLOP,
  min_closed: MIN_CLOSED,
  efficiency_degrading_ratio: DEGRADING_RATIO,
};

export type AlertKind =
  | "rejection-rate-rising"
  | "validation-pass-rate-falling"
  | "validation-score-falling"
  | "review-load-rising"
  | "slop-rising"
  | "token-efficiency-degrading";

export interface Alert {
  kind: AlertKind;
  message: string;
  /** The agent, for token-efficiency-degrading. */
  agent?: string;
  /** The weeks compared: [start, end) of each period. */
  recent: Record<string, number | string | null>;
  previous: Record<string, number | string | null>;
  threshold: Record<string, number>;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;

interface AgentEfficiency {
  agent: string;
  trend: { last_30_days: number | null; previous_30_days: number | null; degrading: boolean };
}

export function compare(
  recent: PeriodStats,
  previous: PeriodStats,
  span: { recent: string[]; previous: string[] },
) {
  const alerts: Alert[] = [];
  const r = recent.ai;
  const p = previous.ai;
  const at = (x: string[]) => ({ from: x[0]!, to: x[1]! });
  const push = (a: Omit<Alert, "recent" | "previous"> & { recent: object; previous: object }) =>
    alerts.push({
      ...a,
      recent: { ...at(span.recent), ...a.recent },
      previous: { ...at(span.previous), ...a.previous },
    } as Alert);

  const decided = (s: PeriodStats["ai"]) => s.landed + s.rejected;
  if (
    decided(r) >= MIN_DECIDED &&
    decided(p) >= MIN_DECIDED &&
    r.rejection_rate !== null &&
    p.rejection_rate !== null &&
    r.rejection_rate - p.rejection_rate >= REJECTION_RISE - 1e-9
  )
    push({
      kind: "rejection-rate-rising",
      message: `Agents' rejection rate rose from ${pct(p.rejection_rate)} to ${pct(r.rejection_rate)}`,
      recent: { rejection_rate: r.rejection_rate, landed: r.landed, rejected: r.rejected },
      previous: { rejection_rate: p.rejection_rate, landed: p.landed, rejected: p.rejected },
      threshold: { rise: REJECTION_RISE, min_decided: MIN_DECIDED },
    });

  const runs = (s: PeriodStats["ai"]) => s.validations_passed + s.validations_failed;
  if (
    runs(r) >= MIN_RUNS &&
    runs(p) >= MIN_RUNS &&
    r.validation_pass_rate !== null &&
    p.validation_pass_rate !== null &&
    p.validation_pass_rate - r.validation_pass_rate >= PASS_RATE_DROP - 1e-9
  )
    push({
      kind: "validation-pass-rate-falling",
      message: `Agents' validation pass rate fell from ${pct(p.validation_pass_rate)} to ${pct(r.validation_pass_rate)}`,
      recent: {
        validation_pass_rate: r.validation_pass_rate,
        passed: r.validations_passed,
        failed: r.validations_failed,
      },
      previous: {
        validation_pass_rate: p.validation_pass_rate,
        passed: p.validations_passed,
        failed: p.validations_failed,
      },
      threshold: { drop: PASS_RATE_DROP, min_runs: MIN_RUNS },
    });

  if (
    runs(r) >= MIN_RUNS &&
    runs(p) >= MIN_RUNS &&
    r.validation_score !== null &&
    p.validation_score !== null &&
    p.validation_score - r.validation_score >= SCORE_DROP
  )
    push({
      kind: "validation-score-falling",
      message: `Agents' mean validation score fell from ${p.validation_score} to ${r.validation_score}`,
      recent: { validation_score: r.validation_score },
      previous: { validation_score: p.validation_score },
      threshold: { drop: SCORE_DROP, min_runs: MIN_RUNS },
    });

  if (
    recent.ai_share !== null &&
    previous.ai_share !== null &&
    recent.ai_share - previous.ai_share >= AI_SHARE_RISE - 1e-9 &&
    r.reviewed >= MIN_REVIEWED &&
    p.reviewed >= MIN_REVIEWED &&
    r.review_hours !== null &&
    p.review_hours !== null &&
    r.review_hours >= p.review_hours * REVIEW_GROWTH &&
    r.review_hours > p.review_hours
  )
    push({
      kind: "review-load-rising",
      message: `Agents opened ${pct(recent.ai_share)} of sessions (was ${pct(previous.ai_share)}) while their reviews took ${r.review_hours} h on average (was ${p.review_hours} h)`,
      recent: { ai_share: recent.ai_share, review_hours: r.review_hours, reviewed: r.reviewed },
      previous: { ai_share: previous.ai_share, review_hours: p.review_hours, reviewed: p.reviewed },
      threshold: { ai_share_rise: AI_SHARE_RISE, review_growth: REVIEW_GROWTH, min_reviewed: MIN_REVIEWED },
    });

  const closed = (s: PeriodStats["ai"]) => s.landed + s.rejected + s.abandoned;
  if (
    closed(r) >= MIN_CLOSED &&
    closed(p) >= MIN_CLOSED &&
    r.slop >= MIN_SLOP &&
    r.slop_rate !== null &&
    p.slop_rate !== null &&
    r.slop_rate - p.slop_rate >= SLOP_RISE - 1e-9
  )
    push({
      kind: "slop-rising",
      message: `Slop (rejected after passing validation, or near-duplicates) rose from ${pct(p.slop_rate)} to ${pct(r.slop_rate)} of agents' closed sessions`,
      recent: { slop: r.slop, slop_rate: r.slop_rate, closed: closed(r) },
      previous: { slop: p.slop, slop_rate: p.slop_rate, closed: closed(p) },
      threshold: { rise: SLOP_RISE, min_slop: MIN_SLOP, min_closed: MIN_CLOSED },
    });
  return alerts;
}

/** The alerts of a report: its last weeks against the weeks before, and each agent's efficiency trend. */
export function alertsFor(
  sessions: QualitySession[],
  runs: QualityRun[],
  buckets: { from: number; to: number }[],
  agents: AgentEfficiency[],
): Alert[] {
  const k = Math.min(PERIOD_WEEKS, Math.floor(buckets.length / 2));
  const alerts: Alert[] = [];
  if (k >= 1) {
    const rec = buckets.slice(-k);
    const prev = buckets.slice(-2 * k, -k);
    const range = (b: typeof buckets) => [b[0]!.from, b[b.length - 1]!.to] as const;
    const iso = (x: readonly [number, number]) => [
      new Date(x[0]).toISOString(),
      new Date(x[1]).toISOString(),
    ];
    alerts.push(
      ...compare(periodStats(sessions, runs, ...range(rec)), periodStats(sessions, runs, ...range(prev)), {
        recent: iso(range(rec)),
        previous: iso(range(prev)),
      }),
    );
  }
  for (const a of agents)
    if (a.trend.degrading)
      alerts.push({
        kind: "token-efficiency-degrading",
        agent: a.agent,
        message: `${a.agent} spends ${a.trend.last_30_days} tokens per landed line over the last 30 days (was ${a.trend.previous_30_days})`,
        recent: { tokens_per_landed_line: a.trend.last_30_days, days: 30 },
        previous: { tokens_per_landed_line: a.trend.previous_30_days, days: 30 },
        threshold: { ratio: DEGRADING_RATIO },
      });
  return alerts;
}
