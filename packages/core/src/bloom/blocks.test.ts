import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockEnd, blockStartFor, blocksFor, childrenOf, isAligned } from "./blocks.ts";

function checkCover(base: number, head: number, maxLevel?: number) {
  const blocks = blocksFor(base, head, maxLevel);
  let next = base + 1;
  for (const b of blocks) {
    expect(isAligned(b.level, b.start)).toBe(true);
    expect(b.start).toBe(next); // contiguous, no overlap, in order
    next = blockEnd(b) + 1;
  }
  expect(next).toBe(Math.max(head, base) + 1);
  return blocks;
}

describe("blocksFor", () => {
  it("decomposes examples into maximal aligned blocks", () => {
    expect(blocksFor(0, 8)).toEqual([{ level: 3, start: 1 }]);
    expect(blocksFor(0, 6)).toEqual([
      { level: 2, start: 1 },
      { level: 1, start: 5 },
    ]);
    expect(blocksFor(3, 9)).toEqual([
      { level: 0, start: 4 },
      { level: 2, start: 5 },
      { level: 0, start: 9 },
    ]);
    expect(blocksFor(5, 5)).toEqual([]);
    expect(blocksFor(0, 8, 1)).toHaveLength(4);
  });

  it("covers (base, head] exactly once with at most 2·log2(range) + 2 blocks", () => {
    const range = (max: number) =>
      fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 1, max })).map(([b, r]) => [b, b + r] as const);
    fc.assert(
      fc.property(fc.oneof(range(300), range(1_000_000), range(2 ** 40)), ([base, head]) => {
        const blocks = checkCover(base, head);
        expect(blocks.length).toBeLessThanOrEqual(2 * Math.log2(head - base) + 2);
      }),
    );
  });

  it("still covers exactly once under a level cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.nat(12),
        (b, r, cap) => {
          for (const blk of checkCover(b, b + r, cap)) expect(blk.level).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });
});

describe("block arithmetic", () => {
  it("aligns starts at 1 + j·2^k and splits blocks into two halves", () => {
    expect(blockStartFor(3, 1)).toBe(1);
    expect(blockStartFor(3, 8)).toBe(1);
    expect(blockStartFor(3, 9)).toBe(9);
    expect(isAligned(2, 5)).toBe(true);
    expect(isAligned(2, 3)).toBe(false);
    expect(childrenOf({ level: 2, start: 5 })).toEqual([
      { level: 1, start: 5 },
      { level: 1, start: 7 },
    ]);
    expect(() => blocksFor(-1, 3)).toThrow(RangeError);
  });
});
