import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BlockRef } from "./blocks.ts";
import { BloomFilter } from "./bloom-filter.ts";
import { pathsConflict } from "./paths.ts";
import { type BlockRecord, LandingIndex, type LandingIndexOptions } from "./rollups.ts";
import { SUMMARY_OVERHEAD_BYTES, SummaryCache } from "./summary-cache.ts";

const smallPath = fc
  .array(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join("/"));
const landings = fc.array(fc.array(smallPath, { maxLength: 4 }), { minLength: 1, maxLength: 70 });
const queries = fc.array(
  fc.record({
    from: fc.nat(1000),
    to: fc.nat(1000),
    paths: fc.array(smallPath, { minLength: 1, maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 4 },
);
const options: fc.Arbitrary<LandingIndexOptions> = fc.record({
  falsePositiveRate: fc.constantFrom(0.01, 0.3),
  maxFilterBytes: fc.constantFrom(9, 24, 1 << 20),
  maxLevel: fc.constantFrom(0, 2, 24),
  minLevel0Items: fc.constantFrom(1, 8),
});
// From "holds nothing" to "holds a few dozen summaries".
const budgets = fc.constantFrom(0, 200, 1000, 4000, 10_000);

/** The storage a forge keeps: every final record addLanding returned, by level and start. */
function storeOf() {
  const records = new Map<string, BlockRecord>();
  let calls = 0;
  return {
    records,
    add: (rs: BlockRecord[]) => {
      for (const r of rs) records.set(`${r.level}:${r.start}`, r);
    },
    load: async (blocks: BlockRef[]) => {
      calls++;
      return blocks.flatMap((b) => records.get(`${b.level}:${b.start}`) ?? []);
    },
    get calls() {
      return calls;
    },
  };
}

const rangeIn = (q: { from: number; to: number }, last: number): [number, number] => {
  const base = q.from % (last + 1);
  return [base, base + (q.to % (last - base + 1))];
};

describe("LandingIndex with a residentBytes budget", () => {
  it("answers every query exactly like the unbounded index, loading what it dropped", async () => {
    await fc.assert(
      fc.asyncProperty(landings, queries, options, budgets, async (ls, qs, opts, budget) => {
        const full = new LandingIndex(opts);
        const bounded = new LandingIndex({ ...opts, residentBytes: budget });
        const store = storeOf();
        for (const [i, paths] of ls.entries()) {
          full.addLanding(i + 1, paths);
          store.add(bounded.addLanding(i + 1, paths));
          expect(bounded.cached.bytes).toBeLessThanOrEqual(budget);
          for (const q of qs) {
            const [base, head] = rangeIn(q, i + 1);
            const want = full.query(base, head, q.paths);
            expect(await bounded.queryLoading(base, head, q.paths, store.load)).toEqual(want);
            expect(bounded.cached.bytes).toBeLessThanOrEqual(budget);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("never misses a conflict when storage lost some records (it descends instead)", async () => {
    await fc.assert(
      fc.asyncProperty(landings, queries, budgets, fc.func(fc.boolean()), async (ls, qs, budget, lost) => {
        const full = new LandingIndex();
        const bounded = new LandingIndex({ residentBytes: budget });
        const store = storeOf();
        ls.forEach((paths, i) => {
          full.addLanding(i + 1, paths);
          store.add(bounded.addLanding(i + 1, paths).filter((r) => !lost(r.level, r.start)));
        });
        for (const q of qs) {
          const [base, head] = rangeIn(q, ls.length);
          const got = await bounded.queryLoading(base, head, q.paths, store.load);
          expect(got.candidates).toEqual([...got.candidates].sort((x, y) => x - y));
          expect(got.candidates).toEqual(expect.arrayContaining(full.candidates(base, head, q.paths)));
          for (let p = base + 1; p <= head; p++)
            if (pathsConflict(q.paths, ls[p - 1]).length > 0) expect(got.candidates).toContain(p);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("keeps recent landings in memory and loads old ones only when an old base asks", async () => {
    const history = Array.from({ length: 512 }, (_, i) => [`d${i % 7}/f${i}.ts`]);
    const full = new LandingIndex();
    const bounded = new LandingIndex({ residentBytes: 16 * 1024 });
    const store = storeOf();
    history.forEach((paths, i) => {
      full.addLanding(i + 1, paths);
      store.add(bounded.addLanding(i + 1, paths));
    });
    expect(bounded.cached.evicted).toBeGreaterThan(0);
    expect(bounded.summary(0, 512)).toBeDefined();
    expect(bounded.summary(0, 3)).toBeUndefined();
    // A recent base is answered from memory.
    const recent = await bounded.queryLoading(500, 512, ["d1/f505.ts"], store.load);
    expect(recent).toEqual(full.query(500, 512, ["d1/f505.ts"]));
    expect(store.calls).toBe(0);
    // An old base loads what it descends into, and then holds it.
    const old = await bounded.queryLoading(1, 512, ["d2/f2.ts", "d3/f3.ts"], store.load);
    expect(old).toEqual(full.query(1, 512, ["d2/f2.ts", "d3/f3.ts"]));
    expect(old.candidates).toEqual(expect.arrayContaining([3]));
    expect(store.calls).toBeGreaterThan(0);
    expect(bounded.summary(0, 3)).toBeInstanceOf(BloomFilter);
  });

  it("answers the same after shrinking to nothing, bounded or not", async () => {
    const history = Array.from({ length: 100 }, (_, i) => [`d${i % 7}/f${i % 30}.ts`]);
    for (const residentBytes of [undefined, 8192]) {
      const full = new LandingIndex();
      const index = new LandingIndex({ residentBytes });
      const store = storeOf();
      history.forEach((paths, i) => {
        full.addLanding(i + 1, paths);
        store.add(index.addLanding(i + 1, paths));
      });
      index.shrink();
      expect(index.cached).toMatchObject({ summaries: 0, bytes: 0 });
      expect(index.residentBytes).toBeGreaterThan(0); // the open blocks stay
      // Unbounded, nothing is loaded back: the query descends instead (a superset).
      const got = await index.queryLoading(10, 100, ["d3/f10.ts"], store.load);
      if (residentBytes) expect(got).toEqual(full.query(10, 100, ["d3/f10.ts"]));
      else expect(got.candidates).toEqual(expect.arrayContaining(full.candidates(10, 100, ["d3/f10.ts"])));
      index.addLanding(101, ["d3/f10.ts"]);
      full.addLanding(101, ["d3/f10.ts"]);
      expect(index.summary(0, 101)).toEqual(full.summary(0, 101));
    }
  });
});

describe("SummaryCache", () => {
  const filter = (bytes: number) => new BloomFilter(bytes * 8, 3);

  it("drops the least recently used past its budget; get marks used, peek does not", () => {
    const cost = 8 + 10 + SUMMARY_OVERHEAD_BYTES;
    const cache = new SummaryCache(2, 3 * cost);
    cache.set(0, 1, filter(10));
    cache.set(0, 2, filter(10));
    cache.set(1, 1, filter(10));
    expect(cache.get(0, 1)).toBeDefined(); // now 0:2 is the oldest
    expect(cache.peek(1, 1)).toBeDefined(); // does not move 1:1
    cache.set(0, 3, filter(10));
    expect(cache.peek(0, 2)).toBeUndefined();
    cache.set(0, 4, filter(10));
    expect(cache.peek(1, 1)).toBeUndefined();
    expect(cache.starts(0)).toEqual([1, 3, 4]);
    expect(cache.bytes).toBe(3 * cost);
    expect(cache.evicted).toBe(2);
    cache.set(0, 3, filter(10)); // replacing costs nothing extra
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBe(3 * cost);
  });

  it("keeps everything without a budget, and nothing with a zero budget", () => {
    const all = new SummaryCache(1);
    const none = new SummaryCache(1, 0);
    for (let i = 1; i <= 100; i++) {
      all.set(0, i, filter(10));
      none.set(0, i, filter(10));
    }
    expect(all.size).toBe(100);
    expect(none.size).toBe(0);
    expect(none.bytes).toBe(0);
  });
});
