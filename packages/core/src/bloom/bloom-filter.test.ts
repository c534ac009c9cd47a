import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BloomFilter, expectedFalsePositiveRate, optimalParameters, pathHash } from "./bloom-filter.ts";

/** Deterministic, distinct path-like strings: the "fixed seed" of the rate measurements. */
const present = (i: number) => `src/module-${i % 97}/file-${i}.ts`;
const absent = (i: number) => `lib/other-${i % 89}/absent-${i}.js`;

function measuredRate(n: number, p: number, probes = 20_000): number {
  const filter = BloomFilter.forItems(n, p);
  for (let i = 0; i < n; i++) filter.add(present(i));
  let hits = 0;
  for (let i = 0; i < probes; i++) if (filter.has(absent(i))) hits++;
  return hits / probes;
}

describe("pathHash", () => {
  it("is the first four bytes of SHA-256, big-endian", () => {
    // sha256("a") = ca978112ca1bbdca…
    expect(pathHash("a")).toBe(0xca978112);
    expect(pathHash("a/")).not.toBe(pathHash("a"));
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(pathHash(s)).toBe(createHash("sha256").update(s, "utf8").digest().readUInt32BE(0));
      }),
    );
  });
});

describe("optimalParameters", () => {
  it("gives about 9.6 bits and 7 hashes per item at 1 %", () => {
    expect(optimalParameters(1000, 0.01)).toEqual({ m: 9592, k: 7 });
    expect(optimalParameters(0, 0.01)).toEqual(optimalParameters(1, 0.01));
  });

  it("meets the target rate in theory for any n and p", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e7 }),
        fc.double({ min: 1e-6, max: 0.5, noNaN: true }),
        (n, p) => {
          const { m, k } = optimalParameters(n, p);
          expect(m % 8).toBe(0);
          expect(k).toBeGreaterThanOrEqual(1);
          expect(expectedFalsePositiveRate(m, k, Math.max(1, n))).toBeLessThanOrEqual(p * 1.05);
        },
      ),
    );
  });

  it("rejects rates outside (0, 1) and negative counts", () => {
    expect(() => optimalParameters(10, 0)).toThrow(RangeError);
    expect(() => optimalParameters(10, 1)).toThrow(RangeError);
    expect(() => optimalParameters(-1, 0.01)).toThrow(RangeError);
  });
});

describe("BloomFilter", () => {
  it("never forgets an added item", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 60 }),
        fc.integer({ min: 8, max: 4000 }),
        (items, m) => {
          const filter = new BloomFilter(m, 5);
          for (const s of items) filter.add(s);
          for (const s of items) expect(filter.has(s)).toBe(true);
        },
      ),
    );
  });

  it("unions to exactly the filter of all items, and refuses mismatched parameters", () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (xs, ys) => {
        const a = BloomFilter.forItems(20, 0.01);
        const b = BloomFilter.forItems(20, 0.01);
        const all = BloomFilter.forItems(20, 0.01);
        for (const s of xs) {
          a.add(s);
          all.add(s);
        }
        for (const s of ys) {
          b.add(s);
          all.add(s);
        }
        expect(a.union(b).bits).toEqual(all.bits);
        expect(b.union(a).bits).toEqual(all.bits);
      }),
    );
    expect(() => new BloomFilter(64, 3).union(new BloomFilter(64, 4))).toThrow(RangeError);
    expect(() => new BloomFilter(64, 3).union(new BloomFilter(72, 3))).toThrow(RangeError);
  });

  it("round-trips through self-describing bytes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 32 }),
        fc.array(fc.string()),
        (m, k, xs) => {
          const filter = new BloomFilter(m, k);
          for (const s of xs) filter.add(s);
          const bytes = filter.toBytes();
          expect(bytes.length).toBe(filter.byteLength);
          const back = BloomFilter.fromBytes(bytes);
          expect([back.m, back.k]).toEqual([m, k]);
          expect(back.toBytes()).toEqual(bytes);
          for (const s of xs) expect(back.has(s)).toBe(true);
        },
      ),
    );
  });

  it("rejects malformed bytes", () => {
    const good = BloomFilter.forItems(3, 0.01);
    good.add("x");
    const bytes = good.toBytes();
    expect(() => BloomFilter.fromBytes(bytes.slice(0, -1))).toThrow(RangeError);
    expect(() => BloomFilter.fromBytes(Uint8Array.of(0x58, ...bytes.slice(1)))).toThrow(RangeError);
    const badVersion = bytes.slice();
    badVersion[1] = 9;
    expect(() => BloomFilter.fromBytes(badVersion)).toThrow(RangeError);
    const padded = new BloomFilter(13, 2).toBytes();
    padded[padded.length - 1] = 0x80; // bit 15, beyond m = 13
    expect(() => BloomFilter.fromBytes(padded)).toThrow(RangeError);
  });

  it("estimates its own false-positive rate from its fill", () => {
    const filter = BloomFilter.forItems(2000, 0.01);
    expect(filter.estimatedFalsePositiveRate()).toBe(0);
    for (let i = 0; i < 2000; i++) filter.add(present(i));
    const estimate = filter.estimatedFalsePositiveRate();
    expect(estimate).toBeGreaterThan(0.005);
    expect(estimate).toBeLessThan(0.015);
  });

  // Deterministic: SHA-256 of fixed strings, so these rates never change between runs.
  it.each([
    [10, 0.01],
    [100, 0.01],
    [1000, 0.01],
    [10_000, 0.01],
    [1000, 0.05],
    [1000, 0.001],
  ])("measures a false-positive rate ≤ 1.5 × target for n=%i, p=%d (20,000 absent probes)", (n, p) => {
    expect(measuredRate(n, p)).toBeLessThanOrEqual(1.5 * p);
  });
});
