// ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds and 80 random bits in
// Crockford's base32, 26 characters that sort by creation time. The `ulid` package asks Web
// Crypto for every character (16 calls per id), which showed in the landing path's profile;
// this draws the random part from a pooled `randomBytes` buffer instead (the same CSPRNG).
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const POOL = 4096;
let pool = Buffer.alloc(0);
let at = 0;

function random10(): Buffer {
  if (at + 10 > pool.length) {
    pool = randomBytes(POOL);
    at = 0;
  }
  const out = pool.subarray(at, at + 10);
  at += 10;
  return out;
}

/** A new ULID for time `now` (ms since the epoch; 0 ≤ now < 2^48). */
export function ulid(now: number = Date.now()): string {
  if (!Number.isInteger(now) || now < 0 || now >= 2 ** 48)
    throw new RangeError(`ulid: time out of range: ${now}`);
  let out = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 80 random bits as 16 five-bit groups: two 40-bit halves, each read as 8 characters.
  const r = random10();
  for (const half of [0, 5]) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 256 + r[half + i]!;
    let s = "";
    for (let i = 0; i < 8; i++) {
      s = ALPHABET[v % 32] + s;
      v = Math.floor(v / 32);
    }
    out += s;
  }
  return out;
}

/** The time a ULID was made (ms since the epoch). */
export function ulidTime(id: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) {
    const d = ALPHABET.indexOf(id[i]!.toUpperCase());
    if (d < 0) throw new RangeError(`ulid: not a ULID: ${id}`);
    t = t * 32 + d;
  }
  return t;
}
