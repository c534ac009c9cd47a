import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BloomFilter } from "./bloom-filter.ts";
import { decodeSummary, ExactHashSet, summarize } from "./path-summary.ts";

const hashes = fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { maxLength: 80 });

describe("ExactHashSet", () => {
  it("holds exactly the given hashes, sorted and unique", () => {
    fc.assert(
      fc.property(hashes, fc.integer({ min: 0, max: 0xffff_ffff }), (hs, probe) => {
        const set = ExactHashSet.fromHashes(hs);
        const expected = [...new Set(hs)].sort((a, b) => a - b);
        expect([...set.hashes]).toEqual(expected);
        for (const h of hs) expect(set.hasHash(h)).toBe(true);
        expect(set.hasHash(probe)).toBe(hs.includes(probe));
      }),
    );
  });

  it("unions and round-trips through bytes", () => {
    fc.assert(
      fc.property(hashes, hashes, (xs, ys) => {
        const u = ExactHashSet.fromHashes(xs).union(ExactHashSet.fromHashes(ys));
        expect([...u.hashes]).toEqual([...ExactHashSet.fromHashes([...xs, ...ys]).hashes]);
        const back = decodeSummary(u.toBytes());
        expect(back).toBeInstanceOf(ExactHashSet);
        expect((back as ExactHashSet).toBytes()).toEqual(u.toBytes());
      }),
    );
  });

  it("rejects unsorted or truncated bytes and unknown encodings", () => {
    const bytes = ExactHashSet.fromHashes([1, 2]).toBytes();
    expect(() => ExactHashSet.fromBytes(bytes.slice(0, -1))).toThrow(RangeError);
    const swapped = bytes.slice();
    swapped.set(bytes.slice(12, 16), 8);
    swapped.set(bytes.slice(8, 12), 12);
    expect(() => ExactHashSet.fromBytes(swapped)).toThrow(RangeError);
    expect(() => decodeSummary(Uint8Array.of(0x00))).toThrow(RangeError);
    expect(() => decodeSummary(new Uint8Array())).toThrow(RangeError);
  });
});

describe("summarize", () => {
  const opts = { falsePositiveRate: 0.01, minItems: 1, maxFilterBytes: 1 << 20 };

  it("sizes a filter for the distinct count (or the minimum) and answers for every member", () => {
    fc.assert(
      fc.property(hashes, fc.integer({ min: 1, max: 50 }), (hs, minItems) => {
        const s = summarize(new Set(hs), { ...opts, minItems });
        expect(s).toBeInstanceOf(BloomFilter);
        const reference = BloomFilter.forItems(Math.max(new Set(hs).size, minItems), 0.01);
        expect([(s as BloomFilter).m, (s as BloomFilter).k]).toEqual([reference.m, reference.k]);
        for (const h of hs) expect(s.hasHash(h)).toBe(true);
      }),
    );
  });

  it("switches to an exact set when the filter would exceed the byte budget", () => {
    const many = new Set(Array.from({ length: 100 }, (_, i) => i * 7919));
    expect(summarize(many, { ...opts, maxFilterBytes: 64 })).toBeInstanceOf(ExactHashSet);
    expect(summarize(many, { ...opts, maxFilterBytes: 200 })).toBeInstanceOf(BloomFilter);
  });
});
