// Path summaries: what a landing or rollup block stores about its touched paths. Either a
// Bloom filter or an exact sorted set of 32-bit path hashes; both only ever answer "maybe"
// or "certainly not", and both serialize to self-describing bytes.
import { BloomFilter, optimalParameters } from "./bloom-filter.ts";

const MAGIC = 0x58; // "X"
const VERSION = 1;
const HEADER = 8; // magic, version, 2 reserved, count (uint32 big-endian)

/**
 * An exact set of 32-bit path hashes, sorted ascending without duplicates. Membership is a
 * binary search. Only hash collisions (≈ n / 2^32 per probe) can make it answer "maybe" for
 * an absent path; it never misses a present one.
 */
export class ExactHashSet {
  readonly hashes: Uint32Array;

  private constructor(sorted: Uint32Array) {
    this.hashes = sorted;
  }

  static fromHashes(hashes: Iterable<number>): ExactHashSet {
    const all = Uint32Array.from(hashes, (h) => h >>> 0).sort();
    let n = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i];
    return new ExactHashSet(all.slice(0, n));
  }

  get size(): number {
    return this.hashes.length;
  }

  hasHash(hash: number): boolean {
    const h = hash >>> 0;
    const a = this.hashes;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] === h) return true;
      if (a[mid] < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** The union of two sets (a sorted merge). */
  union(other: ExactHashSet): ExactHashSet {
    return ExactHashSet.fromHashes([...this.hashes, ...other.hashes]);
  }

  get byteLength(): number {
    return HEADER + 4 * this.hashes.length;
  }

  /** [0x58 "X", version 1, 0, 0, count as uint32 big-endian, count × uint32 big-endian]. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    const view = new DataView(out.buffer);
    out[0] = MAGIC;
    out[1] = VERSION;
    view.setUint32(4, this.hashes.length);
    for (let i = 0; i < this.hashes.length; i++) view.setUint32(HEADER + 4 * i, this.hashes[i]);
    return out;
  }

  /** Parses toBytes output; throws on a wrong header or length, or hashes out of order. */
  static fromBytes(bytes: Uint8Array): ExactHashSet {
    if (!ExactHashSet.isEncoded(bytes)) throw new RangeError("not a serialized exact hash set");
    if (bytes.length < HEADER || bytes[1] !== VERSION || bytes[2] !== 0 || bytes[3] !== 0) {
      throw new RangeError("unsupported exact hash set header");
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(4);
    if (bytes.length !== HEADER + 4 * count)
      throw new RangeError("exact hash set byte length does not match");
    const hashes = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      hashes[i] = view.getUint32(HEADER + 4 * i);
      if (i > 0 && hashes[i] <= hashes[i - 1]) throw new RangeError("exact hash set is not sorted");
    }
    return new ExactHashSet(hashes);
  }

  static isEncoded(bytes: Uint8Array): boolean {
    return bytes.length > 0 && bytes[0] === MAGIC;
  }
}

/** What a landing or block stores: anything answering "may this path hash be present?". */
export type PathSummary = BloomFilter | ExactHashSet;

/** Decodes either serialized form, telling them apart by the magic byte. */
export function decodeSummary(bytes: Uint8Array): PathSummary {
  if (BloomFilter.isEncoded(bytes)) return BloomFilter.fromBytes(bytes);
  if (ExactHashSet.isEncoded(bytes)) return ExactHashSet.fromBytes(bytes);
  throw new RangeError("unknown path summary encoding");
}

export interface SummaryOptions {
  /** Target false-positive rate of a filter. */
  falsePositiveRate: number;
  /** Size filters for at least this many items. */
  minItems: number;
  /** A filter whose bytes would exceed this becomes an exact hash set instead. */
  maxFilterBytes: number;
}

/**
 * Builds the summary for a set of distinct path hashes: a filter sized for
 * max(count, minItems) items at the target rate, or — when that filter would be larger
 * than maxFilterBytes — the exact set of hashes.
 */
export function summarize(hashes: ReadonlySet<number>, options: SummaryOptions): PathSummary {
  const { m, k } = optimalParameters(Math.max(hashes.size, options.minItems), options.falsePositiveRate);
  if (8 + m / 8 > options.maxFilterBytes) return ExactHashSet.fromHashes(hashes);
  const filter = new BloomFilter(m, k);
  for (const h of hashes) filter.addHash(h);
  return filter;
}
