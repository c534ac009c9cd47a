// An agent's reputation: a number from 0 to 100 per contribution track (docs, tests,
// features, fixes) and overall, from what its sessions did — landed, rejected or abandoned,
// validation runs passed and failed, extra attempts, and slop (passed the gate, then rejected
// by a person). No black box: every input is shown with the score (trust/agent-page.tsx).
//
// Each outcome is weighted by its age, halving every HALF_LIFE_DAYS, so old evidence fades.
// The score is a Bayesian average starting from a neutral prior of PRIOR good and PRIOR bad
// outcomes (50 with no evidence):
//
//   score = 100 × (PRIOR + Σ w·good) / (2·PRIOR + Σ w·(good + bad))
//   good  = landed + validation passes
//   bad   = rejected + abandoned/2 + validation failures + 2·slop + extra attempts/4
//
// It rises with every good input, falls with every bad one, and returns toward 50 as the
// evidence ages.

export const HALF_LIFE_DAYS = 30;
export const PRIOR = 2;
export const WEIGHTS = { landed: 1, passed: 1, rejected: 1, abandoned: 0.5, failed: 1, slop: 2, extra: 0.25 };

export const TRACKS = ["docs", "tests", "features", "fixes"] as const;
export type Track = (typeof TRACKS)[number];

/** What one session contributed, at the time it last changed. */
export interface Outcome {
  track: Track;
  at: Date;
  landed: boolean;
  rejected: boolean;
  abandoned: boolean;
  /** Validation runs that passed and failed (errors count as neither). */
  passed: number;
  failed: number;
  /** Rejected by a person after a passing validation. */
  slop: boolean;
  /** Validation attempts beyond the first. */
  extra: number;
}

export interface Evidence {
  good: number;
  bad: number;
}

/** The weight of evidence `ageDays` old. */
export const decay = (ageDays: number) => 0.5 ** (Math.max(0, ageDays) / HALF_LIFE_DAYS);

export function evidence(o: Outcome, now: Date): Evidence {
  const w = decay((now.getTime() - o.at.getTime()) / 86_400_000);
  const good = (o.landed ? WEIGHTS.landed : 0) + o.passed * WEIGHTS.passed;
  const bad =
    (o.rejected ? WEIGHTS.rejected : 0) +
    (o.abandoned ? WEIGHTS.abandoned : 0) +
    o.failed * WEIGHTS.failed +
    (o.slop ? WEIGHTS.slop : 0) +
    o.extra * WEIGHTS.extra;
  return { good: w * good, bad: w * bad };
}

export const scoreOf = (e: Evidence) => (100 * (PRIOR + e.good)) / (2 * PRIOR + e.good + e.bad);

const sum = (list: Evidence[]) =>
  list.reduce((a, e) => ({ good: a.good + e.good, bad: a.bad + e.bad }), { good: 0, bad: 0 });

export interface Reputation {
  score: number;
  evidence: Evidence;
  tracks: Record<Track, { score: number; evidence: Evidence; sessions: number }>;
}

/** The reputation from a list of outcomes, overall and per track (scores rounded to 0.1). */
export function reputation(outcomes: Outcome[], now: Date): Reputation {
  const round = (n: number) => Math.round(n * 10) / 10;
  const all = outcomes.map((o) => evidence(o, now));
  const tracks = Object.fromEntries(
    TRACKS.map((t) => {
      const mine = outcomes.flatMap((o, i) => (o.track === t ? [all[i]!] : []));
      const e = sum(mine);
      return [t, { score: round(scoreOf(e)), evidence: e, sessions: mine.length }];
    }),
  ) as Reputation["tracks"];
  const e = sum(all);
  return { score: round(scoreOf(e)), evidence: e, tracks };
}
