// The positional landing index: per-landing path summaries plus rollup blocks over aligned
// ranges of positions (see blocks.ts), answering "which landings in (base, head] might
// conflict with these session paths?" with O(log(head − base)) block tests plus descents
// into blocks that hit. Pure and storage-agnostic: the database stores BlockRecords.
//
// Correctness rules (the lessons of the original):
// - Every block is sized for what it holds: a summary is built over the block's DISTINCT
//   expanded path hashes (≤ the sum of its landings' path counts) at the target rate, so upper
//   levels never saturate. Past maxFilterBytes a block stores the exact sorted hash set.
// - An open (incomplete) block is an exact hash set updated on every landing; it is created
//   when its first half completes and sealed into its final summary when its last landing is
//   added. Queries never consult a block unless it holds every landing it covers (its count
//   says so), so no state of the index — including any subset of records after a crash —
//   can hide a landing.
// - No summary means "check exactly": a missing block is descended into, a landing without
//   a filter is returned as a candidate. Missing data costs time, never correctness.
// - Memory is bounded with residentBytes: complete summaries past it are dropped least recently
//   used first (summary-cache.ts) and queryLoading() loads them back from storage.
import { blockStartFor, blocksFor, childrenOf, MAX_BLOCK_LEVEL } from "./blocks.ts";
import { landingHashes, probeHashes } from "./landing-hashes.ts";
import {
  decodeSummary,
  ExactHashSet,
  type PathSummary,
  type SummaryOptions,
  summarize,
} from "./path-summary.ts";
import { queryLoading, type SummaryLoader } from "./query-loading.ts";
import { SummaryCache } from "./summary-cache.ts";

export { landingHashes, probeHashes, sizeForP99 } from "./landing-hashes.ts";
export type { SummaryLoader } from "./query-loading.ts";

export interface LandingIndexOptions {
  /** Target false-positive rate of every filter (default 0.01). */
  falsePositiveRate?: number;
  /** Level-0 filters are sized for at least this many expanded paths (default 8: 10 bytes of bits). */
  minLevel0Items?: number;
  /** Highest rollup level kept (default 24: blocks of 16.7M landings). 0 keeps no rollups. */
  maxLevel?: number;
  /**
   * A summary whose filter would exceed this many bytes stores its exact sorted hashes instead
   * (default 256 KiB ≈ 218,000 distinct paths at 1 %). Exact sets cost 4 bytes a path (about
   * 3.3× a 1 % filter) but cannot produce filter false positives; only the largest top-level
   * blocks, consulted by nearly every long-range query, cross the default.
   */
  maxFilterBytes?: number;
  /** Heap budget of the complete summaries kept (default: all; open blocks not counted). */
  residentBytes?: number;
}

/** Approximate heap bytes per hash held by an open block (a Set<number> entry). */
export const OPEN_HASH_BYTES = 40;

/** One stored summary: level 0 is a landing (start = its position, count = 1). */
export interface BlockRecord {
  level: number;
  start: number;
  /** Landings included, from start on; 2^level when complete. */
  count: number;
  /** decodeSummary-able bytes: a bloom filter or an exact hash set (always for open blocks). */
  bytes: Uint8Array;
}

export interface QueryResult {
  /** Positions in (base, head], ascending, whose landings may conflict. */
  candidates: number[];
  /** Number of summaries (filters or exact sets) tested. */
  tested: number;
}

export interface RestoreOptions extends LandingIndexOptions {
  /** Last landed position; defaults to the highest position any record covers. */
  head?: number;
  /** Touched paths of a landing, used to rebuild open blocks missing from the records. */
  pathsAt?: (position: number) => readonly string[];
}

interface OpenBlock {
  start: number;
  count: number;
  hashes: Set<number>;
}

export class LandingIndex {
  readonly maxLevel: number;
  readonly #level0: SummaryOptions;
  readonly #blocks: SummaryOptions;
  /** Complete summaries in memory (all of them without a residentBytes budget). */
  readonly #levels: SummaryCache;
  /** The open block per level (at most one: the one the next landing extends). */
  readonly #open: (OpenBlock | undefined)[];
  #head = 0;

  constructor(options: LandingIndexOptions = {}) {
    const p = options.falsePositiveRate ?? 0.01;
    const maxFilterBytes = options.maxFilterBytes ?? 256 * 1024;
    this.maxLevel = Math.min(MAX_BLOCK_LEVEL, Math.max(0, Math.floor(options.maxLevel ?? 24)));
    this.#level0 = { falsePositiveRate: p, minItems: options.minLevel0Items ?? 8, maxFilterBytes };
    this.#blocks = { falsePositiveRate: p, minItems: 1, maxFilterBytes };
    this.#levels = new SummaryCache(this.maxLevel + 1, options.residentBytes);
    this.#open = new Array(this.maxLevel + 1).fill(undefined);
  }

  /** Last landed position (0 before the first landing). */
  get head(): number {
    return this.#head;
  }

  /**
   * Records the landing at `position` (must be head + 1) and its touched paths. Updates the
   * level-0 entry and every open block containing it, sealing blocks it completes. Returns
   * the records that became final (level 0 first, then sealed blocks by level): they never
   * change again. Open blocks are serialized on demand by openRecords().
   */
  addLanding(position: number, paths: readonly string[]): BlockRecord[] {
    if (position !== this.#head + 1) {
      throw new RangeError(
        `landings must be added in order: expected position ${this.#head + 1}, got ${position}`,
      );
    }
    const hashes = landingHashes(paths);
    const leaf = summarize(hashes, this.#level0);
    this.#levels.set(0, position, leaf);
    const out: BlockRecord[] = [{ level: 0, start: position, count: 1, bytes: leaf.toBytes() }];
    // The block one level down that this landing just completed, if any.
    let done: OpenBlock | undefined = { start: position, count: 1, hashes };
    for (let level = 1; level <= this.maxLevel; level++) {
      const size = 2 ** level;
      const start = blockStartFor(level, position);
      let open = this.#open[level];
      if (open && open.start === start && open.start + open.count === position) {
        for (const h of hashes) open.hashes.add(h);
        open.count++;
      } else if (done && done.start === start) {
        // Its first half just completed: open it with that half's hashes (this landing included).
        open = { start, count: size / 2, hashes: done.hashes };
        this.#open[level] = open;
      } else {
        // Not opened yet, or it missed a landing (restored from stale records): never build
        // it; queries descend into its children instead.
        this.#open[level] = undefined;
        done = undefined;
        continue;
      }
      if (open.count === size) {
        const summary = summarize(open.hashes, this.#blocks);
        this.#levels.set(level, start, summary);
        this.#open[level] = undefined;
        out.push({ level, start, count: size, bytes: summary.toBytes() });
        done = open;
      } else {
        done = undefined;
      }
    }
    this.#head = position;
    return out;
  }

  /** Positions in (base, head] whose landings may touch any of sessionPaths (see paths.ts). */
  candidates(base: number, head: number, sessionPaths: readonly string[]): number[] {
    return this.query(base, head, sessionPaths).candidates;
  }

  /**
   * candidates() plus the number of summaries tested. Tests the blocksFor(base, head) blocks,
   * descends into the children of blocks that hit (or have no complete summary), and returns
   * the level-0 positions reached that hit or have no filter. Positions past this.head have no
   * filter, so they are returned: the caller must check them exactly.
   */
  query(base: number, head: number, sessionPaths: readonly string[]): QueryResult {
    const blocks = blocksFor(base, head, this.maxLevel); // validates the range
    const probes = probeHashes(sessionPaths);
    const candidates: number[] = [];
    let tested = 0;
    if (probes.length === 0) return { candidates, tested };
    const visit = (level: number, start: number): void => {
      const summary = this.#levels.get(level, start);
      if (summary) {
        tested++;
        if (!probes.some((h) => summary.hasHash(h))) return;
      }
      if (level === 0) candidates.push(start);
      else for (const child of childrenOf({ level, start })) visit(child.level, child.start);
    };
    for (const block of blocks) visit(block.level, block.start);
    return { candidates, tested };
  }

  /**
   * query(), loading the complete summaries it needs and no longer holds (dropped for the
   * residentBytes budget) through `load`, one call per level of descent that misses. With a
   * loader that returns what addLanding produced, the result equals an unbounded index's.
   */
  queryLoading(base: number, head: number, sessionPaths: readonly string[], load: SummaryLoader) {
    return queryLoading(this, this.#levels, base, head, sessionPaths, load);
  }

  /** The complete summary held in memory for a block (level 0: a landing), if any. */
  summary(level: number, start: number): PathSummary | undefined {
    return this.#levels.peek(level, start);
  }

  /** Estimated heap bytes of the summaries held, cached and open. */
  get residentBytes(): number {
    return this.#levels.bytes + OPEN_HASH_BYTES * this.openHashes;
  }

  /** Drops cached complete summaries, least recently used first, down to `bytes` of them. */
  shrink(bytes = 0): void {
    this.#levels.shrinkTo(bytes);
  }

  /** Complete summaries held in memory, and how many were dropped for the budget. */
  get cached() {
    return { summaries: this.#levels.size, bytes: this.#levels.bytes, evicted: this.#levels.evicted };
  }

  /** Hashes held by open blocks (they grow until their block seals). */
  get openHashes(): number {
    let n = 0;
    for (const open of this.#open) n += open?.hashes.size ?? 0;
    return n;
  }

  /** Open blocks as exact-set records (count < 2^level), lowest level first. */
  openRecords(): BlockRecord[] {
    const out: BlockRecord[] = [];
    this.#open.forEach((open, level) => {
      if (!open) return;
      out.push({
        level,
        start: open.start,
        count: open.count,
        bytes: ExactHashSet.fromHashes(open.hashes).toBytes(),
      });
    });
    return out;
  }

  /** Every record held in memory: complete summaries by level and start, then open blocks. */
  records(): BlockRecord[] {
    const out: BlockRecord[] = [];
    for (let level = 0; level <= this.maxLevel; level++) {
      for (const start of this.#levels.starts(level))
        out.push({ level, start, count: 2 ** level, bytes: this.#levels.peek(level, start)!.toBytes() });
    }
    return [...out, ...this.openRecords()];
  }

  /**
   * Rebuilds an index from stored records (any subset, in any order: what is missing is only
   * slower to query). Complete records are used as they are; an open record is kept if it
   * matches the block that should be open at head, and topped up through pathsAt when it is
   * behind; without pathsAt a stale or missing open block is left out and never built.
   */
  static fromRecords(records: Iterable<BlockRecord>, options: RestoreOptions = {}): LandingIndex {
    const index = new LandingIndex(options);
    const openFound: BlockRecord[] = [];
    let lastCovered = 0;
    for (const r of records) {
      if (!Number.isInteger(r.level) || r.level < 0 || r.level > index.maxLevel) continue;
      if (r.start !== blockStartFor(r.level, r.start) || r.count < 1 || r.count > 2 ** r.level) continue;
      lastCovered = Math.max(lastCovered, r.start + r.count - 1);
      if (r.count === 2 ** r.level) index.#levels.set(r.level, r.start, decodeSummary(r.bytes));
      else openFound.push(r);
    }
    const head = options.head ?? lastCovered;
    index.#head = head;
    for (let level = 1; level <= index.maxLevel && head > 0; level++) {
      const size = 2 ** level;
      const start = blockStartFor(level, head);
      const count = head - start + 1;
      // Only a block whose first half is complete and whose second half is not is open.
      if (count < size / 2 || count === size) continue;
      let found: BlockRecord | undefined;
      for (const r of openFound) {
        if (r.level === level && r.start === start && r.count <= count && r.count > (found?.count ?? 0))
          found = r;
      }
      let open: OpenBlock | undefined;
      if (found) {
        const summary = decodeSummary(found.bytes);
        if (summary instanceof ExactHashSet)
          open = { start, count: found.count, hashes: new Set(summary.hashes) };
      }
      if (!open && options.pathsAt) open = { start, count: 0, hashes: new Set() };
      if (!open || (open.count < count && !options.pathsAt)) continue;
      for (let position = start + open.count; position <= head; position++) {
        for (const h of landingHashes(options.pathsAt!(position))) open.hashes.add(h);
      }
      open.count = count;
      index.#open[level] = open;
    }
    return index;
  }
}
