import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";

const opts = fc.record({
  baseMs: fc.integer({ min: 0, max: 10 * 60 * 1000 }),
  capMs: fc.integer({ min: 0, max: 24 * 60 * 60 * 1000 }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe("backoff", () => {
  it("doubles from 2 s and stops at one hour by default", () => {
    expect([1, 2, 3, 4].map((a) => backoffCeiling(a))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffCeiling(12)).toBe(DEFAULT_BACKOFF.capMs);
    expect(backoffCeiling(5000)).toBe(DEFAULT_BACKOFF.capMs);
  });

  it("is monotone non-decreasing in the attempt before jitter", () => {
    fc.assert(
      fc.property(
        opts,
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 1e7 })),
        (o, attempt) => {
          expect(backoffCeiling(attempt + 1, o)).toBeGreaterThanOrEqual(backoffCeiling(attempt, o));
        },
      ),
    );
  });

  it("handles a zero base and huge attempts", () => {
    expect(backoffCeiling(1025, { baseMs: 0, capMs: 0 })).toBe(0);
    expect(backoffCeiling(1e9, { baseMs: 1, capMs: 5 })).toBe(5);
    expect(backoffDelay(1e9, { baseMs: 0, capMs: 100, jitter: 0.5 }, () => 1)).toBe(0);
  });

  it("never exceeds the cap and takes off at most the jitter fraction", () => {
    fc.assert(
      fc.property(
        opts,
        fc.oneof(fc.integer({ min: -5, max: 64 }), fc.integer({ min: -5, max: 1e7 })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (o, attempt, r) => {
          const ceiling = backoffCeiling(attempt, o);
          const delay = backoffDelay(attempt, o, () => r);
          expect(ceiling).toBeLessThanOrEqual(o.capMs);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - o.jitter)) - 1);
          expect(Number.isInteger(delay) && delay >= 0).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
