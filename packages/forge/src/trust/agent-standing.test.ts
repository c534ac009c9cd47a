// The pure rules of an agent's standing: tiers grow with evidence, backoff grows with failures,
// a failure streak ends at a pass; presets resolve to valid policies and overrides merge.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeDeep, PRESETS, resolvePolicy, STRICTNESS, TIERS } from "./agent-policy.ts";
import { backoffMinutes, earnedTier, failureStreak } from "./agent-standing.ts";

const strictness = fc.constantFrom(...STRICTNESS);
const rank = (t: (typeof TIERS)[number]) => TIERS.indexOf(t);

describe("agent standing rules", () => {
  it("never lowers the tier when passes or reputation grow (property)", () => {
    fc.assert(
      fc.property(
        strictness,
        fc.nat(100),
        fc.nat(100),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (s, p1, p2, r1, r2) => {
          const policy = PRESETS[s];
          const lo = earnedTier(policy, Math.min(p1, p2), Math.min(r1, r2));
          const hi = earnedTier(policy, Math.max(p1, p2), Math.max(r1, r2));
          expect(rank(hi)).toBeGreaterThanOrEqual(rank(lo));
        },
      ),
    );
  });

  it("waits longer with every failure, up to the cap (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("lenient", "standard", "strict" as const), fc.nat(40), (s, k) => {
        const policy = PRESETS[s];
        const a = backoffMinutes(policy, k);
        const b = backoffMinutes(policy, k + 1);
        expect(b).toBeGreaterThanOrEqual(a);
        expect(b).toBeLessThanOrEqual(policy.backoff!.max_minutes);
        if (k < policy.backoff!.after_failures) expect(a).toBe(0);
      }),
    );
    expect(backoffMinutes(PRESETS.off, 100)).toBe(0);
  });

  it("counts failures back to the last pass, skipping errors", () => {
    const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    expect(
      failureStreak([
        { status: "failed", at: at(3) },
        { status: "error", at: at(2) },
        { status: "failed", at: at(1) },
        { status: "passed", at: at(0) },
        { status: "failed", at: at(0) },
      ]),
    ).toEqual({ streak: 2, last: at(3) });
    expect(failureStreak([])).toEqual({ streak: 0, last: null });
  });

  it("resolves every preset, and merges overrides key by key", () => {
    for (const s of STRICTNESS) expect(resolvePolicy(s, {})).toEqual(PRESETS[s]);
    const p = resolvePolicy("standard", { tiers: { small: { max_lines: 5 } }, backoff: null });
    expect(p.tiers.small).toEqual({ min_passed: 0, max_lines: 5, max_files: 10 });
    expect(p.backoff).toBeNull();
    // Turning a section back on over a preset without it takes the standard numbers.
    expect(resolvePolicy("off", { backoff: { after_failures: 4 } }).backoff).toEqual({
      after_failures: 4,
      base_minutes: 5,
      max_minutes: 1440,
    });
    expect(mergeDeep({ a: { b: 1, c: 2 } }, { a: { c: null } })).toEqual({ a: { b: 1, c: null } });
  });
});
