// Git's pack delta format (what `git pack-objects` stores and git's patch-delta.c applies):
// the base's size and the result's size as little-endian base-128 varints, then instructions:
// a byte with the high bit set copies from the base (bits 0-3 say which offset bytes follow,
// bits 4-6 which size bytes; a size of 0 means 0x10000), a byte 1..127 inserts that many
// literal bytes that follow it, and 0 is reserved. createDelta indexes the base in 16-byte
// blocks (as git's diff-delta.c does), slides a rolling hash over the target, and extends
// every verified hit forwards and backwards; applyDelta checks every size and bound and throws
// DeltaError on anything malformed, so bytes from the network can be handed to it as they are.

/** A delta that does not describe a valid result from this base. */
export class DeltaError extends Error {
  override name = "DeltaError";
}

const BLOCK = 16;
/** Base offsets remembered per hash value: bounds the work on repetitive bases. */
const BUCKET_LIMIT = 8;
const MAX_COPY = 0xffffff;
const MAX_INSERT = 0x7f;
const MULT = 0x01000193;
/** MULT to the power BLOCK modulo 2^32: what the byte leaving the window weighs. */
const DROP = (() => {
  let p = 1;
  for (let i = 0; i < BLOCK; i++) p = Math.imul(p, MULT);
  return p;
})();

function hashAt(data: Uint8Array, at: number) {
  let h = 0;
  for (let i = at; i < at + BLOCK; i++) h = (Math.imul(h, MULT) + data[i]!) | 0;
  return h;
}

/** Appends bytes to a buffer that grows; gives up (returns false) past `limit` bytes. */
class Writer {
  buf: Uint8Array;
  length = 0;
  constructor(readonly limit: number) {
    this.buf = new Uint8Array(Math.min(limit, 1024) + 16);
  }
  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.length++] = b;
  }
  bytes(src: Uint8Array) {
    this.room(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }
  varint(n: number) {
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      this.byte(b);
    } while (n > 0);
  }
  get full() {
    return this.length >= this.limit;
  }
}

function insert(w: Writer, data: Uint8Array, from: number, to: number) {
  for (let at = from; at < to; at += MAX_INSERT) {
    const n = Math.min(MAX_INSERT, to - at);
    w.byte(n);
    w.bytes(data.subarray(at, at + n));
  }
}

function copy(w: Writer, offset: number, size: number) {
  while (size > 0) {
    const n = Math.min(size, MAX_COPY);
    let cmd = 0x80;
    const args: number[] = [];
    for (let i = 0; i < 4; i++) {
      const b = Math.floor(offset / 2 ** (8 * i)) & 0xff;
      if (b) {
        cmd |= 1 << i;
        args.push(b);
      }
    }
    const encoded = n === 0x10000 ? 0 : n;
    for (let i = 0; i < 3; i++) {
      const b = (encoded >>> (8 * i)) & 0xff;
      if (b) {
        cmd |= 0x10 << i;
        args.push(b);
      }
    }
    w.byte(cmd);
    for (const b of args) w.byte(b);
    offset += n;
    size -= n;
  }
}

/** The base's 16-byte blocks by hash (later blocks first, at most BUCKET_LIMIT each). */
function indexBase(base: Uint8Array) {
  const index = new Map<number, number[]>();
  for (let at = Math.floor((base.length - BLOCK) / BLOCK) * BLOCK; at >= 0; at -= BLOCK) {
    const h = hashAt(base, at);
    const bucket = index.get(h);
    if (!bucket) index.set(h, [at]);
    else if (bucket.length < BUCKET_LIMIT) bucket.push(at);
  }
  return index;
}

/**
 * A git delta that turns `base` into `target`, or null when it would not be smaller than the
 * target itself (send the target whole then). Offsets beyond 4 GiB cannot be expressed.
 */
export function createDelta(base: Uint8Array, target: Uint8Array): Uint8Array | null {
  if (base.length >= 2 ** 32) return null;
  const w = new Writer(target.length);
  w.varint(base.length);
  w.varint(target.length);
  const index = base.length >= BLOCK ? indexBase(base) : new Map<number, number[]>();
  let pending = 0; // start of the literal bytes not yet written
  let at = 0;
  let h = target.length >= BLOCK ? hashAt(target, 0) : 0;
  while (at + BLOCK <= target.length) {
    let bestLen = 0;
    let bestOff = 0;
    for (const off of index.get(h) ?? []) {
      let n = 0;
      const most = Math.min(base.length - off, target.length - at);
      while (n < most && base[off + n] === target[at + n]) n++;
      if (n > bestLen) {
        bestLen = n;
        bestOff = off;
      }
    }
    if (bestLen >= BLOCK) {
      let back = 0; // extend backwards over literal bytes the base also has
      while (at - back > pending && bestOff - back > 0 && base[bestOff - back - 1] === target[at - back - 1])
        back++;
      insert(w, target, pending, at - back);
      copy(w, bestOff - back, bestLen + back);
      at += bestLen;
      pending = at;
      if (w.full) return null;
      if (at + BLOCK <= target.length) h = hashAt(target, at);
      continue;
    }
    if (at + BLOCK < target.length)
      h = (Math.imul(h, MULT) - Math.imul(target[at]!, DROP) + target[at + BLOCK]!) | 0;
    at++;
    if (at - pending >= 4096 && w.length + (at - pending) >= w.limit) return null;
  }
  insert(w, target, pending, target.length);
  return w.length < target.length ? w.buf.slice(0, w.length) : null;
}

function readVarint(delta: Uint8Array, at: number): [number, number] {
  let n = 0;
  let shift = 0;
  for (;;) {
    if (at >= delta.length) throw new DeltaError("delta header is cut short");
    const b = delta[at++]!;
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [n, at];
    if (shift > 49) throw new DeltaError("delta header size is too large");
  }
}

/** The size of the result a delta describes (from its header), without applying it. */
export function deltaResultSize(delta: Uint8Array): number {
  return readVarint(delta, readVarint(delta, 0)[1])[0];
}

/**
 * `base` with `delta` applied. Throws DeltaError when the delta names another base size,
 * copies outside the base, writes past (or stops short of) its stated result size, has a
 * reserved instruction, is cut short, or states a result larger than `maxSize`.
 */
export function applyDelta(base: Uint8Array, delta: Uint8Array, maxSize = 256 * 1024 * 1024): Uint8Array {
  let [baseSize, at] = readVarint(delta, 0);
  if (baseSize !== base.length)
    throw new DeltaError(`delta is for a base of ${baseSize} bytes, not ${base.length}`);
  let size: number;
  [size, at] = readVarint(delta, at);
  if (size > maxSize) throw new DeltaError(`delta result of ${size} bytes is over the limit`);
  const out = new Uint8Array(size);
  let pos = 0;
  const arg = () => {
    if (at >= delta.length) throw new DeltaError("copy instruction is cut short");
    return delta[at++]!;
  };
  while (at < delta.length) {
    const cmd = delta[at++]!;
    if (cmd & 0x80) {
      let offset = 0;
      let n = 0;
      for (let i = 0; i < 4; i++) if (cmd & (1 << i)) offset += arg() * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (cmd & (0x10 << i)) n |= arg() << (8 * i);
      if (n === 0) n = 0x10000;
      if (offset + n > base.length) throw new DeltaError("copy reaches past the end of the base");
      if (pos + n > size) throw new DeltaError("copy writes past the stated result size");
      out.set(base.subarray(offset, offset + n), pos);
      pos += n;
    } else if (cmd) {
      if (at + cmd > delta.length) throw new DeltaError("insert instruction is cut short");
      if (pos + cmd > size) throw new DeltaError("insert writes past the stated result size");
      out.set(delta.subarray(at, at + cmd), pos);
      pos += cmd;
      at += cmd;
    } else throw new DeltaError("reserved delta instruction 0");
  }
  if (pos !== size) throw new DeltaError(`delta produced ${pos} bytes, not the stated ${size}`);
  return out;
}
