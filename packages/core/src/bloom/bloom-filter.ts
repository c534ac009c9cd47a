// Bloom filters over 32-bit path hashes: deterministic across processes (SHA-256 based),
// OR-able when parameters match, and self-describing as bytes so the database can store them.
import { createHash, hash } from "node:crypto";

/**
 * The 32-bit hash every structure in this module works on: the first four bytes of
 * SHA-256(UTF-8 of s), big-endian. Deterministic across processes, machines and versions.
 * Filter bit positions are a function of this hash alone, so an exact set of hashes can be
 * turned into a filter later (rollup blocks are built that way). Two distinct strings share a
 * hash with probability 2^-32, which can only add a false positive, never hide a member.
 */
export function pathHash(s: string): number {
  return sha256(s).readUInt32BE(0);
}

// crypto.hash (Node ≥ 20.12) is the same digest without a Hash object: about twice as fast.
const sha256: (s: string) => Buffer =
  typeof hash === "function"
    ? (s) => hash("sha256", s, "buffer")
    : (s) => createHash("sha256").update(s, "utf8").digest();

/** murmur3's 32-bit finalizer: a bijection, used to derive the second double-hashing hash. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const MAGIC = 0x42; // "B"
const VERSION = 1;
const HEADER = 8; // magic, version, k, reserved, m (uint32 big-endian)
const MAX_K = 32;
const MAX_M = 0xffff_ffff;

export interface BloomParameters {
  /** Number of bits. */
  m: number;
  /** Number of hash functions. */
  k: number;
}

/** Expected false-positive rate of an (m, k) filter holding n distinct items: (1 − e^(−kn/m))^k. */
export function expectedFalsePositiveRate(m: number, k: number, n: number): number {
  return (1 - Math.exp((-k * n) / m)) ** k;
}

/**
 * Bits and hash count for n items at false-positive rate p: m = ⌈−n·ln p / (ln 2)²⌉ rounded up
 * to whole bytes (at least 8 bits), k = round(m/n · ln 2) clamped to 1…32. n below 1 counts as 1.
 */
export function optimalParameters(n: number, p: number): BloomParameters {
  if (!(p > 0 && p < 1)) throw new RangeError(`false-positive rate must be in (0, 1), got ${p}`);
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`item count must be finite and ≥ 0, got ${n}`);
  const items = Math.max(1, Math.ceil(n));
  const raw = Math.ceil((-items * Math.log(p)) / Math.LN2 ** 2);
  const m = Math.max(8, Math.ceil(raw / 8) * 8);
  if (m > MAX_M) throw new RangeError(`filter for ${n} items at p=${p} exceeds 2^32 bits`);
  const k = Math.min(MAX_K, Math.max(1, Math.round((m / items) * Math.LN2)));
  return { m, k };
}

function checkParameters(m: number, k: number): void {
  if (!Number.isInteger(m) || m < 1 || m > MAX_M) throw new RangeError(`bloom m must be 1…2^32−1, got ${m}`);
  if (!Number.isInteger(k) || k < 1 || k > MAX_K)
    throw new RangeError(`bloom k must be 1…${MAX_K}, got ${k}`);
}

function popcount8(b: number): number {
  let x = b - ((b >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}

/**
 * A Bloom filter with m bits and k hash functions. Bit positions for an item come from
 * enhanced double hashing (Dillinger & Manolios) seeded by pathHash(item) and mix32 of it.
 * Bit i lives in byte i >> 3, mask 1 << (i & 7).
 */
export class BloomFilter {
  readonly m: number;
  readonly k: number;
  readonly bits: Uint8Array;

  constructor(m: number, k: number, bits?: Uint8Array) {
    checkParameters(m, k);
    const length = Math.ceil(m / 8);
    if (bits && bits.length !== length) throw new RangeError(`bloom bits must be ${length} bytes`);
    this.m = m;
    this.k = k;
    this.bits = bits ?? new Uint8Array(length);
  }

  /** An empty filter sized by optimalParameters(n, p). */
  static forItems(n: number, p: number): BloomFilter {
    const { m, k } = optimalParameters(n, p);
    return new BloomFilter(m, k);
  }

  add(s: string): void {
    this.addHash(pathHash(s));
  }

  has(s: string): boolean {
    return this.hasHash(pathHash(s));
  }

  /** Adds an item given its pathHash. */
  addHash(hash: number): void {
    const { m, k, bits } = this;
    let x = (hash >>> 0) % m;
    let y = mix32(hash ^ 0x9e3779b9) % m;
    for (let i = 0; i < k; i++) {
      bits[x >>> 3] |= 1 << (x & 7);
      x = (x + y) % m;
      y = (y + i + 1) % m;
    }
  }

  /** True when the item with this pathHash may be present; false means certainly absent. */
  hasHash(hash: number): boolean {
    const { m, k, bits } = this;
    let x = (hash >>> 0) % m;
    let y = mix32(hash ^ 0x9e3779b9) % m;
    for (let i = 0; i < k; i++) {
      if ((bits[x >>> 3] & (1 << (x & 7))) === 0) return false;
      x = (x + y) % m;
      y = (y + i + 1) % m;
    }
    return true;
  }

  /** A new filter holding both filters' items; m and k must match. */
  union(other: BloomFilter): BloomFilter {
    if (other.m !== this.m || other.k !== this.k) {
      throw new RangeError(`cannot union bloom(${this.m},${this.k}) with bloom(${other.m},${other.k})`);
    }
    const bits = new Uint8Array(this.bits);
    for (let i = 0; i < bits.length; i++) bits[i] |= other.bits[i];
    return new BloomFilter(this.m, this.k, bits);
  }

  /** Number of set bits. */
  setBits(): number {
    let n = 0;
    for (const b of this.bits) n += popcount8(b);
    return n;
  }

  /** The false-positive rate implied by the current fill: (set bits / m)^k. */
  estimatedFalsePositiveRate(): number {
    return (this.setBits() / this.m) ** this.k;
  }

  /** Serialized size in bytes. */
  get byteLength(): number {
    return HEADER + this.bits.length;
  }

  /** [0x42 "B", version 1, k, 0, m as uint32 big-endian, ⌈m/8⌉ bytes of bits]. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(HEADER + this.bits.length);
    const view = new DataView(out.buffer);
    out[0] = MAGIC;
    out[1] = VERSION;
    out[2] = this.k;
    view.setUint32(4, this.m);
    out.set(this.bits, HEADER);
    return out;
  }

  /** Parses toBytes output; throws on a wrong header, length or set padding bits. */
  static fromBytes(bytes: Uint8Array): BloomFilter {
    if (!BloomFilter.isEncoded(bytes)) throw new RangeError("not a serialized bloom filter");
    if (bytes.length < HEADER || bytes[1] !== VERSION || bytes[3] !== 0) {
      throw new RangeError("unsupported bloom filter header");
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const k = bytes[2];
    const m = view.getUint32(4);
    checkParameters(m, k);
    const length = Math.ceil(m / 8);
    if (bytes.length !== HEADER + length) throw new RangeError("bloom filter byte length does not match m");
    const bits = bytes.slice(HEADER);
    const spare = length * 8 - m;
    if (spare > 0 && bits[length - 1] >>> (8 - spare) !== 0) {
      throw new RangeError("bloom filter has bits set beyond m");
    }
    return new BloomFilter(m, k, bits);
  }

  /** True when bytes start with the bloom filter magic byte. */
  static isEncoded(bytes: Uint8Array): boolean {
    return bytes.length > 0 && bytes[0] === MAGIC;
  }
}
