// The report's arithmetic on made-up sessions: buckets, rates, review time, per model, CSV
// equal to the JSON series, and alerts that fire on a downward trend and not on a steady one.
import { describe, expect, it } from "vitest";
import { axisMax } from "./quality-charts.tsx";
import { seriesCsv } from "./quality-csv.ts";
import { buildReport, clampWeeks, type QualityRun, type QualitySession, WEEK_MS } from "./quality-report.ts";

const NOW = new Date("2026-12-06T12:00:00Z");
const HOUR = 3_600_000;
/** A moment `w` weeks (and `h` hours) before NOW, inside bucket weeks-1-w for w < weeks. */
const ago = (w: number, h = 0) => new Date(NOW.getTime() - w * WEEK_MS - 12 * HOUR - h * HOUR);

let n = 0;
function session(
  o: Partial<QualitySession> & { at: Date; status: QualitySession["status"] },
): QualitySession {
  const ai = o.ai ?? o.agent !== undefined;
  const decided = o.status === "rejected" || o.decided_at !== undefined;
  return {
    id: `s${n++}`,
    project_id: "p",
    ai,
    agent: o.agent ?? null,
    model: o.model ?? null,
    goal: o.goal ?? `goal ${n}`,
    created_at: o.created_at ?? new Date(o.at.getTime() - 2 * HOUR),
    closed_at: o.status === "open" ? null : o.at,
    decided_at: decided ? (o.decided_at ?? o.at) : null,
    review_from: o.review_from ?? o.created_at ?? new Date(o.at.getTime() - 2 * HOUR),
    tokens: o.tokens ?? 0,
    lines: o.lines ?? 0,
    slop: o.slop ?? false,
    status: o.status,
  };
}
const run = (
  at: Date,
  status: string,
  ai = true,
  score: number | null = null,
  model: string | null = "m1",
): QualityRun => ({
  at,
  status,
  ai,
  score,
  model,
});

describe("quality report", () => {
  it("counts each week's sessions, rates and review times, per class and per model", () => {
    const sessions = [
      session({ at: ago(0), status: "landed", lines: 10 }),
      session({ at: ago(0), status: "landed", lines: 5 }),
      session({ at: ago(0), status: "rejected", agent: "bot", model: "m1", created_at: ago(0, 10) }),
      session({
        at: ago(0),
        status: "landed",
        agent: "bot",
        model: "m1",
        tokens: 300,
        lines: 3,
        decided_at: ago(0),
        review_from: ago(0, 4),
      }),
      session({ at: ago(0), status: "abandoned", agent: "bot", model: "m2", tokens: 100 }),
      session({ at: ago(1), status: "landed", agent: "bot", model: "m2", tokens: 50, lines: 5 }),
      session({ at: ago(20), status: "landed", agent: "old" }),
    ];
    const runs = [
      run(ago(0), "passed", true, 90),
      run(ago(0), "failed", true, 40),
      run(ago(0), "error"),
      run(ago(0), "passed", false, 100, null),
    ];
    const r = buildReport(sessions, runs, { now: NOW, weeks: 2 });
    expect(r.series).toHaveLength(2);
    const last = r.series[1]!;
    expect(last).toMatchObject({
      human_opened: 2,
      ai_opened: 3,
      ai_share: 0.6,
      human_landed: 2,
      human_rejection_rate: 0,
      ai_landed: 1,
      ai_rejected: 1,
      ai_abandoned: 1,
      ai_rejection_rate: 0.5,
      ai_reviewed: 2,
      // 10 h (opened → rejected) and 4 h (ready → approved): mean 7.
      ai_review_hours: 7,
      ai_review_hours_median: 7,
      human_reviewed: 0,
      human_review_hours: null,
      ai_validations_passed: 1,
      ai_validations_failed: 1,
      ai_validations_error: 1,
      ai_validation_pass_rate: 0.5,
      ai_validation_score: 65,
      human_validation_pass_rate: 1,
      ai_tokens: 400,
      ai_landed_lines: 3,
      ai_tokens_per_landed_line: 133.33,
    });
    expect(r.series[0]).toMatchObject({ ai_opened: 1, ai_landed: 1, human_opened: 0, ai_share: 1 });
    expect(r.totals.ai).toMatchObject({ opened: 4, landed: 2, rejected: 1, abandoned: 1 });
    expect(r.by_model.map((m) => [m.model, m.opened, m.landed, m.rejected])).toEqual([
      ["m1", 2, 1, 1],
      ["m2", 2, 1, 0],
    ]);
    expect(r.by_model[0]).toMatchObject({
      validations_passed: 1,
      validations_failed: 1,
      validation_score: 65,
    });
    expect(r.by_agent.map((a) => a.agent)).toEqual(["bot"]);
    expect(r.by_agent[0]).toMatchObject({
      sessions: 4,
      landed: 2,
      rejected: 1,
      tokens: 450,
      landed_lines: 8,
    });
  });

  it("writes the series as CSV with the JSON's numbers", () => {
    const r = buildReport([session({ at: ago(0), status: "landed", agent: "b", lines: 3, tokens: 10 })], [], {
      now: NOW,
      weeks: 3,
    });
    const [head, ...lines] = seriesCsv(r.series).trimEnd().split("\r\n");
    const cols = head!.split(",");
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      const cells = line.split(",");
      cols.forEach((c, j) => {
        const v = (r.series[i] as Record<string, unknown>)[c];
        expect(cells[j], c).toBe(v === null ? "" : String(v));
      });
    });
  });

  it("tops the charts' y axis with four round steps", () => {
    expect([0, 1, 3, 4, 5, 13].map((n) => axisMax(n, true))).toEqual([4, 4, 4, 4, 8, 20]);
    expect([0, 0.3, 7.5, 133.33].map((n) => axisMax(n))).toEqual([1, 0.4, 8, 200]);
  });

  it("caps the window", () => {
    expect(clampWeeks(undefined)).toBe(12);
    expect(clampWeeks(500)).toBe(52);
    expect(clampWeeks(0)).toBe(1);
  });

  /** Eight weeks of agents' work: `week(i)` makes week i's sessions and runs (0 = oldest). */
  function trend(
    week: (i: number) => { landed: number; rejected: number; passed: number; failed: number; slop?: number },
  ) {
    const sessions: QualitySession[] = [];
    const runs: QualityRun[] = [];
    for (let i = 0; i < 8; i++) {
      const w = week(i);
      const at = ago(7 - i);
      for (let k = 0; k < w.landed; k++)
        sessions.push(session({ at, status: "landed", agent: "bot", model: "m1", lines: 10, tokens: 100 }));
      for (let k = 0; k < w.rejected; k++)
        sessions.push(
          session({ at, status: "rejected", agent: "bot", model: "m1", slop: k < (w.slop ?? 0) }),
        );
      for (let k = 0; k < w.passed; k++) runs.push(run(at, "passed", true, 90));
      for (let k = 0; k < w.failed; k++) runs.push(run(at, "failed", true, 30));
      // People's steady work alongside.
      sessions.push(session({ at, status: "landed", lines: 5 }));
    }
    return buildReport(sessions, runs, { now: NOW, weeks: 8 });
  }

  it("raises no alert on steady work", () => {
    const r = trend(() => ({ landed: 4, rejected: 1, passed: 4, failed: 1 }));
    expect(r.alerts).toEqual([]);
  });

  it("alerts when agents' rejections, failed validations and slop rise, with the numbers", () => {
    const r = trend((i) =>
      i < 4
        ? { landed: 4, rejected: 1, passed: 4, failed: 1 }
        : { landed: 2, rejected: 3, passed: 2, failed: 3, slop: 2 },
    );
    const kinds = r.alerts.map((a) => a.kind).sort();
    expect(kinds).toEqual([
      "rejection-rate-rising",
      "slop-rising",
      "validation-pass-rate-falling",
      "validation-score-falling",
    ]);
    const rej = r.alerts.find((a) => a.kind === "rejection-rate-rising")!;
    expect(rej.previous).toMatchObject({ rejection_rate: 0.2, landed: 16, rejected: 4 });
    expect(rej.recent).toMatchObject({ rejection_rate: 0.6, landed: 8, rejected: 12 });
    expect(rej.threshold).toEqual({ rise: 0.15, min_decided: 5 });
    const pass = r.alerts.find((a) => a.kind === "validation-pass-rate-falling")!;
    expect(pass.previous.validation_pass_rate).toBe(0.8);
    expect(pass.recent.validation_pass_rate).toBe(0.4);
  });

  it("needs enough evidence in both periods", () => {
    // One rejection out of one decided recently is not a trend.
    const r = trend((i) =>
      i < 4
        ? { landed: 1, rejected: 0, passed: 1, failed: 0 }
        : i === 7
          ? { landed: 0, rejected: 1, passed: 0, failed: 1 }
          : { landed: 0, rejected: 0, passed: 0, failed: 0 },
    );
    expect(r.alerts).toEqual([]);
  });

  it("alerts when agents' share grows while their reviews slow down", () => {
    const sessions: QualitySession[] = [];
    for (let i = 0; i < 8; i++) {
      const at = ago(7 - i);
      const agents = i < 4 ? 1 : 3;
      const wait = i < 4 ? 2 : 10;
      for (let k = 0; k < agents; k++)
        sessions.push(
          session({ at, status: "rejected", agent: "bot", created_at: new Date(at.getTime() - wait * HOUR) }),
        );
      for (let k = 0; k < 2; k++) sessions.push(session({ at, status: "landed" }));
    }
    const r = buildReport(sessions, [], { now: NOW, weeks: 8 });
    const a = r.alerts.find((x) => x.kind === "review-load-rising");
    expect(a).toBeDefined();
    expect(a!.previous).toMatchObject({ ai_share: 0.333, review_hours: 2, reviewed: 4 });
    expect(a!.recent).toMatchObject({ ai_share: 0.6, review_hours: 10, reviewed: 12 });
  });
});
