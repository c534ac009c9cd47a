// Scoring properties: scores stay within 0-100, all passing scores 100 and all failing (with
// weight) scores 0, a step turning from failed to passed never lowers any score, and the
// gate's shortfalls are exactly the minimums the scores miss.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATEGORIES } from "./checks-config.ts";
import { confidence, type StepOutcome, scoreRun, shortfalls } from "./score.ts";

const step = fc.record({
  name: fc.string({ minLength: 1, maxLength: 8 }),
  category: fc.constantFrom(...CATEGORIES),
  weight: fc.integer({ min: 0, max: 10 }),
  passed: fc.boolean(),
});
const steps = fc.array(step, { minLength: 1, maxLength: 12 });

describe("validation scores", () => {
  it("weighs steps within their category and overall", () => {
    const run: StepOutcome[] = [
      { name: "unit", category: "test", weight: 3, passed: true },
      { name: "e2e", category: "test", weight: 1, passed: false },
      { name: "lint", category: "lint", weight: 1, passed: false },
    ];
    expect(scoreRun(run)).toEqual({ aggregate: 60, categories: { test: 75, lint: 0 } });
    expect(shortfalls(scoreRun(run), { min_score: 60, min_scores: { test: 80, lint: 0 } })).toEqual([
      { scope: "test", score: 75, required: 80 },
    ]);
  });

  it("stays within 0-100; all passing is 100, all failing with weight is 0 (property)", () => {
    fc.assert(
      fc.property(steps, (run) => {
        const s = scoreRun(run);
        for (const v of [s.aggregate, ...Object.values(s.categories)]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(100);
        }
        expect(scoreRun(run.map((x) => ({ ...x, passed: true }))).aggregate).toBe(100);
        const failing = scoreRun(run.map((x) => ({ ...x, passed: false }))).aggregate;
        expect(failing).toBe(run.some((x) => x.weight > 0) ? 0 : 100);
      }),
    );
  });

  it("never lowers a score when a step starts passing (property)", () => {
    fc.assert(
      fc.property(steps, fc.nat(), (run, pick) => {
        const i = pick % run.length;
        const before = scoreRun(run);
        const after = scoreRun(run.map((x, j) => (j === i ? { ...x, passed: true } : x)));
        expect(after.aggregate).toBeGreaterThanOrEqual(before.aggregate);
        for (const c of CATEGORIES)
          expect(after.categories[c] ?? 100).toBeGreaterThanOrEqual(before.categories[c] ?? 100);
      }),
    );
  });

  it("names exactly the minimums the scores miss (property)", () => {
    const mins = fc.dictionary(fc.constantFrom(...CATEGORIES), fc.integer({ min: 0, max: 100 }));
    fc.assert(
      fc.property(steps, fc.integer({ min: 0, max: 100 }), mins, (run, min, perCategory) => {
        const s = scoreRun(run);
        const short = shortfalls(s, { min_score: min, min_scores: perCategory });
        expect(short.some((x) => x.scope === "aggregate")).toBe(s.aggregate < min);
        for (const [c, required] of Object.entries(perCategory))
          expect(short.some((x) => x.scope === c)).toBe(
            (s.categories[c as keyof typeof s.categories] ?? 100) < required,
          );
      }),
    );
  });

  it("confidence: the score at the first attempt, lower with each retry, never below half (property)", () => {
    expect(confidence(100, 1)).toBe(100);
    expect(confidence(80, 3)).toBe(64);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        (a, b, n) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(confidence(lo, n)).toBeLessThanOrEqual(confidence(hi, n));
          expect(confidence(hi, n + 1)).toBeLessThanOrEqual(confidence(hi, n));
          expect(confidence(hi, n)).toBeGreaterThanOrEqual(hi / 2 - 0.05);
          expect(confidence(hi, n)).toBeLessThanOrEqual(hi);
        },
      ),
    );
  });
});
