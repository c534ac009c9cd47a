// LandingIndex.queryLoading: the index's query, breadth first, loading the complete summaries
// it no longer holds in memory (dropped for its residentBytes budget) through a loader, one
// batch per level of descent. Tests the same blocks as query() on an index that kept all.
import { type BlockRef, blocksFor, childrenOf } from "./blocks.ts";
import { probeHashes } from "./landing-hashes.ts";
import { decodeSummary, type PathSummary } from "./path-summary.ts";
import type { BlockRecord, QueryResult } from "./rollups.ts";
import type { SummaryCache } from "./summary-cache.ts";

/**
 * Loads stored complete summaries of the given blocks (level 0: a landing's filter). Blocks it
 * has no record for are descended into (a landing without one is a candidate), so a loader
 * that returns less costs time, never correctness.
 */
export type SummaryLoader = (blocks: BlockRef[]) => Promise<Iterable<BlockRecord>>;

export async function queryLoading(
  index: { readonly maxLevel: number; readonly head: number },
  cache: SummaryCache,
  base: number,
  head: number,
  sessionPaths: readonly string[],
  load: SummaryLoader,
): Promise<QueryResult> {
  let frontier = blocksFor(base, head, index.maxLevel); // validates the range
  const probes = probeHashes(sessionPaths);
  const candidates: number[] = [];
  let tested = 0;
  if (probes.length === 0) return { candidates, tested };
  const bounded = cache.budget !== Number.POSITIVE_INFINITY;
  while (frontier.length > 0) {
    const summaries = frontier.map((b) => cache.get(b.level, b.start));
    // Only complete blocks up to the index's head can have been built and dropped.
    const missing = bounded
      ? frontier.filter((b, i) => !summaries[i] && b.start + 2 ** b.level - 1 <= index.head)
      : [];
    if (missing.length > 0) {
      const loaded = new Map<string, PathSummary>();
      for (const r of await load(missing)) {
        if (!Number.isInteger(r.level) || r.level < 0 || r.level > index.maxLevel) continue;
        if (r.count !== 2 ** r.level) continue;
        let summary: PathSummary;
        try {
          summary = decodeSummary(r.bytes);
        } catch {
          continue; // unreadable: as if missing
        }
        loaded.set(`${r.level}:${r.start}`, summary);
        cache.set(r.level, r.start, summary);
      }
      frontier.forEach((b, i) => {
        summaries[i] ??= loaded.get(`${b.level}:${b.start}`);
      });
    }
    const next: BlockRef[] = [];
    frontier.forEach((block, i) => {
      const summary = summaries[i];
      if (summary) {
        tested++;
        if (!probes.some((h) => summary.hasHash(h))) return;
      }
      if (block.level === 0) candidates.push(block.start);
      else next.push(...childrenOf(block));
    });
    frontier = next;
  }
  return { candidates: candidates.sort((x, y) => x - y), tested };
}
