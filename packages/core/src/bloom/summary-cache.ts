// The complete summaries a LandingIndex holds in memory, keyed by (level, start), with an
// optional byte budget: past it, the least recently used summaries are dropped (a doubly
// linked list in use order makes every touch O(1)). What is dropped stays in storage; the
// index asks for it again through its loader when a query needs it. Without a budget nothing
// is dropped and nothing is tracked.
import type { PathSummary } from "./path-summary.ts";

/**
 * Approximate heap cost of one cached summary beyond its serialized bytes: the filter and its
 * typed array, the entry and the map slot (measured: about 410 bytes for a one-path landing's
 * 28-byte filter).
 */
export const SUMMARY_OVERHEAD_BYTES = 400;

interface Entry {
  level: number;
  start: number;
  summary: PathSummary;
  cost: number;
  older: Entry | undefined;
  newer: Entry | undefined;
}

export class SummaryCache {
  /** Byte budget; Infinity keeps everything. */
  readonly budget: number;
  /** With a budget: entries linked in use order. */
  readonly #levels: Map<number, Entry>[];
  /** Without one: the summaries themselves (no entry to follow on the query path). */
  readonly #plain: Map<number, PathSummary>[] | undefined;
  #oldest: Entry | undefined;
  #newest: Entry | undefined;
  #bytes = 0;
  #size = 0;
  #evicted = 0;

  constructor(levels: number, budget = Number.POSITIVE_INFINITY) {
    this.budget = Number.isNaN(budget) ? Number.POSITIVE_INFINITY : Math.max(0, budget);
    const bounded = this.budget !== Number.POSITIVE_INFINITY;
    this.#levels = bounded ? Array.from({ length: levels }, () => new Map()) : [];
    this.#plain = bounded ? undefined : Array.from({ length: levels }, () => new Map());
  }

  /** Estimated heap bytes of the cached summaries. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#size;
  }

  /** Summaries dropped for the budget so far. */
  get evicted(): number {
    return this.#evicted;
  }

  /** The cached summary, marked as just used. */
  get(level: number, start: number): PathSummary | undefined {
    if (this.#plain) return this.#plain[level]?.get(start);
    const entry = this.#levels[level]?.get(start);
    if (!entry) return undefined;
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#link(entry);
    }
    return entry.summary;
  }

  /** The cached summary without marking it used. */
  peek(level: number, start: number): PathSummary | undefined {
    return this.#plain ? this.#plain[level]?.get(start) : this.#levels[level]?.get(start)?.summary;
  }

  /** Drops the least recently used summaries until at most `bytes` remain (all without a budget). */
  shrinkTo(bytes: number): void {
    if (this.#plain) {
      if (bytes >= this.#bytes) return;
      for (const map of this.#plain) map.clear();
      this.#evicted += this.#size;
      this.#bytes = 0;
      this.#size = 0;
      return;
    }
    while (this.#bytes > bytes && this.#oldest) {
      this.#remove(this.#oldest);
      this.#evicted++;
    }
  }

  /** Caches a summary as just used, then drops the least recently used past the budget. */
  set(level: number, start: number, summary: PathSummary): void {
    if (this.#plain) {
      const old = this.#plain[level].get(start);
      if (old) {
        this.#bytes -= old.byteLength + SUMMARY_OVERHEAD_BYTES;
        this.#size--;
      }
      this.#plain[level].set(start, summary);
      this.#bytes += summary.byteLength + SUMMARY_OVERHEAD_BYTES;
      this.#size++;
      return;
    }
    const map = this.#levels[level];
    const old = map.get(start);
    if (old) this.#remove(old);
    const entry: Entry = {
      level,
      start,
      summary,
      cost: summary.byteLength + SUMMARY_OVERHEAD_BYTES,
      older: undefined,
      newer: undefined,
    };
    map.set(start, entry);
    this.#bytes += entry.cost;
    this.#size++;
    this.#link(entry);
    while (this.#bytes > this.budget && this.#oldest) {
      this.#remove(this.#oldest);
      this.#evicted++;
    }
  }

  /** Cached starts of a level, ascending. */
  starts(level: number): number[] {
    return [...(this.#plain ?? this.#levels)[level].keys()].sort((x, y) => x - y);
  }

  #remove(entry: Entry): void {
    this.#levels[entry.level].delete(entry.start);
    this.#bytes -= entry.cost;
    this.#size--;
    this.#unlink(entry);
  }

  #link(entry: Entry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest) this.#newest.newer = entry;
    else this.#oldest = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.#oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.#newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
