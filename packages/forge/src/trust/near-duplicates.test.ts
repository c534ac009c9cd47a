// MinHash fingerprints of changes: properties of the signature and of its similarity estimate.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { minhash, normalizeLine, SLOTS, similarity, unionMinhash } from "./near-duplicates.ts";

const lines = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 60 });

describe("near-duplicate fingerprints", () => {
  it("gives equal sets similarity 1, whatever the order", () => {
    fc.assert(
      fc.property(lines, (a) => {
        const b = [...a].reverse();
        expect(similarity(minhash(a)!, minhash(b)!)).toBe(1);
      }),
    );
  });

  it("is symmetric and between 0 and 1", () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const s = similarity(minhash(a)!, minhash(b)!);
        expect(s).toBe(similarity(minhash(b)!, minhash(a)!));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("makes the union's MinHash the slot-wise minimum (uploads in any grouping)", () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        expect(minhash([...a, ...b])).toEqual(unionMinhash(minhash(a)!, minhash(b)!));
      }),
    );
  });

  it("estimates the Jaccard similarity of generated overlaps within a tolerance", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 200 }), (shared, own) => {
        const common = Array.from({ length: shared }, (_, i) => `common ${i}`);
        const a = [...common, ...Array.from({ length: own }, (_, i) => `a ${i}`)];
        const b = [...common, ...Array.from({ length: own }, (_, i) => `b ${i}`)];
        const jaccard = shared / (shared + 2 * own);
        // 64 slots: the estimate's standard deviation is at most 1/16.
        expect(Math.abs(similarity(minhash(a)!, minhash(b)!) - jaccard)).toBeLessThan(0.35);
      }),
    );
  });

  it("has no signature for nothing, and SLOTS slots otherwise", () => {
    expect(minhash([])).toBeNull();
    expect(minhash(["x"])).toHaveLength(SLOTS);
    expect(normalizeLine("  a \t b  ")).toBe("a b");
  });
});
