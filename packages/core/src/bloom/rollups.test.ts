import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blocksFor } from "./blocks.ts";
import { BloomFilter, optimalParameters } from "./bloom-filter.ts";
import { decodeSummary, ExactHashSet } from "./path-summary.ts";
import { pathsConflict } from "./paths.ts";
import { LandingIndex, type LandingIndexOptions, landingHashes, sizeForP99 } from "./rollups.ts";

// Informative, not asserted. One tsx run (seeded PRNG): 100,000 landings, each touching 1–8
// files picked uniformly from 20,000 (20 × 20 directories × 50 files); default options
// (p = 1 %, per-landing and per-block sizing); head = 100,000; 200 sessions of 3 files each.
//   h − b     blocksFor blocks   summaries tested (mean)   candidates   real conflicts
//   1,000            6                  20.8                  0.9            0.8
//   10,000           8                 160.4                  7.4            6.6
//   100,000          6               1,595.1                 75.4           68.8
// Sessions adding new files nobody touched test 7.3, 10.0 and 7.5 summaries: the decomposition
// blocks, plus the odd descent after a 1 % false positive. Each real conflict costs a descent
// of ~20 tests (two children per level), so the work is O((1 + conflicts) · log(h − b)).
// Stored size: 15 MB over 200,000 records (2.5 MB of level-0 filters; each level above holds
// at most its distinct paths, shrinking from 1.9 MB at level 1 to 0.08 MB at level 17).

const smallPath = fc
  .array(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join("/"));
const landings = fc.array(fc.array(smallPath, { maxLength: 4 }), { minLength: 1, maxLength: 40 });
const queries = fc.array(
  fc.record({
    from: fc.nat(1000),
    to: fc.nat(1000),
    paths: fc.array(smallPath, { minLength: 1, maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 4 },
);
const options: fc.Arbitrary<LandingIndexOptions> = fc.record({
  falsePositiveRate: fc.constantFrom(0.01, 0.3, 0.9),
  maxFilterBytes: fc.constantFrom(9, 24, 1 << 20),
  maxLevel: fc.constantFrom(0, 1, 2, 3, 24),
  minLevel0Items: fc.constantFrom(1, 8),
});

type Query = { from: number; to: number; paths: string[] };

/** Maps a random query into (base, head] ⊆ (0, last]. */
function range(q: Query, last: number): [number, number] {
  const base = q.from % (last + 1);
  return [base, base + (q.to % (last - base + 1))];
}

/** Checks candidates ⊇ the exact conflicts, ⊆ (base, head], ascending. */
function checkNoFalseNegatives(index: LandingIndex, history: string[][], qs: Query[], last: number) {
  for (const q of qs) {
    const [base, head] = range(q, last);
    const got = index.candidates(base, head, q.paths);
    for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
    for (const p of got) expect(p > base && p <= head).toBe(true);
    const set = new Set(got);
    for (let p = base + 1; p <= head; p++) {
      if (pathsConflict(q.paths, history[p - 1]).length > 0) expect(set.has(p), `position ${p}`).toBe(true);
    }
  }
}

function build(history: string[][], opts: LandingIndexOptions): LandingIndex {
  const index = new LandingIndex(opts);
  for (const [i, paths] of history.entries()) index.addLanding(i + 1, paths);
  return index;
}

describe("LandingIndex", () => {
  it("never misses a conflicting landing, checked after every landing", () => {
    fc.assert(
      fc.property(landings, queries, options, (ls, qs, opts) => {
        const index = new LandingIndex(opts);
        ls.forEach((paths, i) => {
          index.addLanding(i + 1, paths);
          checkNoFalseNegatives(index, ls, qs, i + 1);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("never misses after a restore from any subset of its records, with or without pathsAt", () => {
    fc.assert(
      fc.property(
        landings,
        landings,
        queries,
        options,
        fc.func(fc.boolean()),
        fc.boolean(),
        (before, after, qs, opts, keep, replay) => {
          const history = [...before, ...after];
          const records = build(before, opts)
            .records()
            .filter((r) => keep(r.level, r.start));
          const pathsAt = replay ? (p: number) => history[p - 1] : undefined;
          const index = LandingIndex.fromRecords(records, { ...opts, head: before.length, pathsAt });
          checkNoFalseNegatives(index, history, qs, before.length);
          after.forEach((paths, i) => {
            index.addLanding(before.length + i + 1, paths);
            checkNoFalseNegatives(index, history, qs, before.length + i + 1);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it("builds every complete block as the union of its landings, sized for its distinct paths", () => {
    fc.assert(
      fc.property(landings, options, (ls, opts) => {
        const index = build(ls, opts);
        const p = opts.falsePositiveRate ?? 0.01;
        for (const r of index.records()) {
          const members = ls.slice(r.start - 1, r.start - 1 + r.count).map((paths) => landingHashes(paths));
          const union = new Set(members.flatMap((hs) => [...hs]));
          const summary = decodeSummary(r.bytes);
          if (summary instanceof ExactHashSet) {
            expect([...summary.hashes]).toEqual([...union].sort((x, y) => x - y));
            continue;
          }
          expect(r.count).toBe(2 ** r.level); // open blocks are always exact sets
          const minItems = r.level === 0 ? (opts.minLevel0Items ?? 8) : 1;
          expect(summary.m).toBe(optimalParameters(Math.max(union.size, minItems), p).m);
          // Bit for bit the OR of its members' filters built with the block's parameters.
          let or = new BloomFilter(summary.m, summary.k);
          for (const hs of members) {
            const f = new BloomFilter(summary.m, summary.k);
            for (const h of hs) f.addHash(h);
            or = or.union(f);
          }
          expect(summary.bits).toEqual(or.bits);
        }
      }),
    );
  });

  it("round-trips through records and keeps evolving identically", () => {
    fc.assert(
      fc.property(landings, landings, queries, options, (before, after, qs, opts) => {
        const a = build(before, opts);
        const b = LandingIndex.fromRecords(
          a.records().map((r) => ({ ...r, bytes: r.bytes.slice() })),
          opts,
        );
        expect(b.head).toBe(a.head);
        expect(b.records()).toEqual(a.records());
        for (const paths of after)
          expect(b.addLanding(a.head + 1, paths)).toEqual(a.addLanding(a.head + 1, paths));
        expect(b.records()).toEqual(a.records());
        for (const q of qs) {
          const [base, head] = range(q, a.head);
          expect(b.query(base, head, q.paths)).toEqual(a.query(base, head, q.paths));
        }
      }),
    );
  });

  it("rebuilds stale or missing open blocks from pathsAt", () => {
    const history = Array.from({ length: 45 }, (_, i) => [`d${i % 5}/f${i}.ts`]);
    const full = build(history, {});
    const old = build(history.slice(0, 37), {}).openRecords(); // snapshot 8 landings behind
    const sealed = full.records().filter((r) => r.count === 2 ** r.level);
    const restored = LandingIndex.fromRecords([...sealed, ...old], { pathsAt: (p) => history[p - 1] });
    expect(restored.head).toBe(45);
    expect(restored.records()).toEqual(full.records());
  });

  it("returns landings it has no filter for, refuses gaps, and ignores empty sessions", () => {
    const index = build([["a/x.ts"], ["b/y.ts"]], {});
    expect(index.candidates(0, 4, ["c/z.ts"])).toEqual([3, 4]);
    expect(index.candidates(0, 2, ["a/x.ts"])).toEqual([1]);
    expect(index.candidates(0, 2, [])).toEqual([]);
    expect(index.candidates(2, 1, ["a/x.ts"])).toEqual([]);
    expect(() => index.addLanding(4, ["a"])).toThrow(RangeError);
    expect(() => index.addLanding(2, ["a"])).toThrow(RangeError);
  });

  it("keeps upper levels selective: 1,024 landings of distinct paths prune an absent path", () => {
    const index = build(
      Array.from({ length: 1024 }, (_, i) => Array.from({ length: 5 }, (_, j) => `m${i}/f${j}.ts`)),
      {},
    );
    const top = index.summary(10, 1) as BloomFilter;
    expect(top).toBeInstanceOf(BloomFilter);
    expect(top.estimatedFalsePositiveRate()).toBeLessThan(0.015);
    const { candidates, tested } = index.query(0, 1024, ["elsewhere/new.ts"]);
    expect(candidates).toEqual([]);
    expect(tested).toBeLessThanOrEqual(5);
    const some = index.query(100, 1000, ["m500/f3.ts"]);
    expect(some.candidates).toContain(501);
    expect(some.tested).toBeLessThanOrEqual(2 * blocksFor(100, 1000).length + 2 * 10 + 4);
  });
});

describe("sizeForP99", () => {
  it("sizes for the 99th-percentile path count at 1 %", () => {
    const counts = Array.from({ length: 1000 }, (_, i) => (i < 990 ? 4 : 500));
    expect(sizeForP99(counts)).toEqual({
      n: 4,
      ...optimalParameters(4, 0.01),
      bytes: optimalParameters(4, 0.01).m / 8,
    });
    expect(sizeForP99([...counts, ...Array(20).fill(500)]).n).toBe(500);
    expect(sizeForP99([]).n).toBe(1);
  });
});
