// Token efficiency of an agent's sessions: tokens per landed contribution and per landed
// line, the tokens wasted on sessions that never landed, restart loops (the same goal opened
// again and again without landing), and whether efficiency is degrading (tokens per landed
// line over the last 30 days against the 30 before, worse by half or more).

export interface SessionTokens {
  project: string;
  goal: string;
  status: string;
  at: Date;
  tokens: number;
  lines: number;
}

/** Sessions of one goal that never landed, at least this many, make a restart loop. */
export const LOOP_SESSIONS = 3;
/** Degrading: tokens per landed line at least this much worse than in the period before. */
export const DEGRADING_RATIO = 1.5;
const DAY = 86_400_000;

const perLine = (list: SessionTokens[]) => {
  const landed = list.filter((s) => s.status === "landed");
  const lines = landed.reduce((n, s) => n + s.lines, 0);
  return lines > 0 ? list.reduce((n, s) => n + s.tokens, 0) / lines : null;
};
const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

export function efficiency(sessions: SessionTokens[], now: Date) {
  const landed = sessions.filter((s) => s.status === "landed");
  const tokens = sessions.reduce((n, s) => n + s.tokens, 0);
  const wasted = sessions
    .filter((s) => s.status === "abandoned" || s.status === "rejected")
    .reduce((n, s) => n + s.tokens, 0);
  const byGoal = new Map<string, SessionTokens[]>();
  for (const s of sessions) {
    const key = `${s.project}\n${s.goal.trim().toLowerCase()}`;
    byGoal.set(key, [...(byGoal.get(key) ?? []), s]);
  }
  const loops = [...byGoal.values()]
    .filter((list) => list.filter((s) => s.status !== "landed").length >= LOOP_SESSIONS)
    .map((list) => ({
      goal: list[0]!.goal,
      sessions: list.length,
      landed: list.some((s) => s.status === "landed"),
      tokens: list.reduce((n, s) => n + s.tokens, 0),
    }));
  const recent = perLine(sessions.filter((s) => now.getTime() - s.at.getTime() <= 30 * DAY));
  const before = perLine(
    sessions.filter((s) => {
      const age = now.getTime() - s.at.getTime();
      return age > 30 * DAY && age <= 60 * DAY;
    }),
  );
  return {
    tokens,
    landed_lines: landed.reduce((n, s) => n + s.lines, 0),
    tokens_per_landed_session: landed.length ? round(tokens / landed.length) : null,
    tokens_per_landed_line: round(perLine(sessions)),
    wasted_tokens: wasted,
    restart_loops: loops,
    trend: {
      last_30_days: round(recent),
      previous_30_days: round(before),
      // Worse by half or more (and worse at all: nothing spent then and now is not degrading).
      degrading: recent !== null && before !== null && recent > before && recent >= before * DEGRADING_RATIO,
    },
  };
}
