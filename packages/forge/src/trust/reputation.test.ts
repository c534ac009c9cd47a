// The reputation formula's promises, as properties: bounded, neutral without evidence,
// monotone in every input (more good never lowers it, more bad never raises it), and decaying
// toward neutral as the evidence ages.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Outcome, reputation, TRACKS } from "./reputation.ts";

const NOW = new Date("2026-12-01T00:00:00Z");
const outcome = fc.record({
  track: fc.constantFrom(...TRACKS),
  at: fc.integer({ min: 0, max: 400 }).map((d) => new Date(NOW.getTime() - d * 86_400_000)),
  landed: fc.boolean(),
  rejected: fc.boolean(),
  abandoned: fc.boolean(),
  passed: fc.nat(5),
  failed: fc.nat(5),
  slop: fc.boolean(),
  extra: fc.nat(5),
});
const score = (list: Outcome[]) => reputation(list, NOW).score;

describe("reputation", () => {
  it("is 50 without evidence and stays within 0-100", () => {
    expect(score([])).toBe(50);
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 30 }), (list) => score(list) >= 0 && score(list) <= 100),
    );
  });

  it("never falls when an outcome gets better, never rises when it gets worse", () => {
    const better: Array<(o: Outcome) => Outcome> = [
      (o) => ({ ...o, landed: true }),
      (o) => ({ ...o, passed: o.passed + 1 }),
      (o) => ({ ...o, rejected: false }),
      (o) => ({ ...o, abandoned: false }),
      (o) => ({ ...o, failed: Math.max(0, o.failed - 1) }),
      (o) => ({ ...o, slop: false }),
      (o) => ({ ...o, extra: Math.max(0, o.extra - 1) }),
    ];
    fc.assert(
      fc.property(
        fc.array(outcome, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.nat(better.length - 1),
        (list, at, which) => {
          const i = at % list.length;
          const improved = list.map((o, j) => (j === i ? better[which]!(o) : o));
          expect(score(improved)).toBeGreaterThanOrEqual(score(list));
        },
      ),
    );
  });

  it("counts a good outcome up and a bad one down, in its own track only", () => {
    const base: Outcome = {
      track: "docs",
      at: NOW,
      landed: true,
      rejected: false,
      abandoned: false,
      passed: 1,
      failed: 0,
      slop: false,
      extra: 0,
    };
    const r = reputation(
      [base, { ...base, track: "fixes", landed: false, passed: 0, rejected: true, slop: true }],
      NOW,
    );
    expect(r.tracks.docs.score).toBeGreaterThan(50);
    expect(r.tracks.fixes.score).toBeLessThan(50);
    expect(r.tracks.tests).toEqual({ score: 50, evidence: { good: 0, bad: 0 }, sessions: 0 });
  });

  it("decays toward neutral as the same evidence ages", () => {
    fc.assert(
      fc.property(
        fc.array(outcome, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 365 }),
        (list, days) => {
          const older = list.map((o) => ({ ...o, at: new Date(o.at.getTime() - days * 86_400_000) }));
          expect(Math.abs(score(older) - 50)).toBeLessThanOrEqual(Math.abs(score(list) - 50) + 0.1);
        },
      ),
    );
    const old = {
      track: "tests",
      at: new Date(NOW.getTime() - 3650 * 86_400_000),
      landed: true,
      rejected: false,
      abandoned: false,
      passed: 9,
      failed: 0,
      slop: false,
      extra: 0,
    } as Outcome;
    expect(score([old])).toBe(50);
  });
});
