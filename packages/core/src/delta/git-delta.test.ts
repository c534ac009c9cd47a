// The git delta codec: round trips on random and edited buffers (fast-check), strict refusal
// of malformed deltas, and agreement with git itself both ways: a delta git wrote into a pack
// applies here, and a pack carrying a delta made here is accepted and expanded by git.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { applyDelta, createDelta, DeltaError, deltaResultSize } from "./git-delta.ts";

const roundTrip = (base: Uint8Array, target: Uint8Array) => {
  const delta = createDelta(base, target);
  if (delta) {
    expect(delta.length).toBeLessThan(target.length);
    expect(deltaResultSize(delta)).toBe(target.length);
    // Buffer#equals: vitest's deep equality walks a large buffer byte by byte, very slowly.
    expect(Buffer.from(applyDelta(base, delta)).equals(target)).toBe(true);
  }
  return delta;
};

/** A buffer with some slices replaced, removed or inserted: what an edit does to a file. */
const edited = fc
  .tuple(
    fc.uint8Array({ minLength: 0, maxLength: 5000 }),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 200 }), fc.uint8Array({ maxLength: 100 })), { maxLength: 8 }),
  )
  .map(([base, edits]) => {
    let t = Buffer.from(base);
    for (const [at, cut, add] of edits) {
      const p = t.length ? at % t.length : 0;
      t = Buffer.concat([t.subarray(0, p), add, t.subarray(Math.min(t.length, p + cut))]);
    }
    return [base, new Uint8Array(t)] as const;
  });

describe("git delta codec", () => {
  it("round-trips random buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        roundTrip(a, b);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips edited buffers", () => {
    fc.assert(
      fc.property(edited, ([base, target]) => {
        roundTrip(base, target);
      }),
      { numRuns: 500 },
    );
  });

  it("makes small deltas for small edits, and none for unrelated content", () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}: ${"x".repeat(i % 40)}\n`).join("");
    const base = Buffer.from(lines);
    const target = Buffer.from(lines.replace("line 1000:", "line one thousand:"));
    const delta = roundTrip(base, target)!;
    expect(delta.length).toBeLessThan(60);
    // Copies longer than 64 KiB and than 16 MiB split as the format needs.
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    big[5] = 1;
    const same = roundTrip(big, Buffer.concat([big, Buffer.from("tail")]))!;
    expect(same.length).toBeLessThan(40);
    expect(createDelta(Buffer.from("abc"), Buffer.from("abd"))).toBeNull();
    expect(createDelta(new Uint8Array(0), new Uint8Array(0))).toBeNull();
    const noise = (n: number, s: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * s) % 251));
    expect(createDelta(noise(4000, 7), noise(4000, 13))).toBeNull();
  });

  it("refuses malformed deltas by throwing DeltaError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (base, delta) => {
        try {
          applyDelta(base, delta, 1 << 20);
        } catch (e) {
          expect(e).toBeInstanceOf(DeltaError);
        }
      }),
      { numRuns: 2000 },
    );
    // Corrupting a valid delta: a fault is found or the result is the stated size.
    fc.assert(
      fc.property(edited, fc.nat(), fc.integer({ min: 1, max: 255 }), ([base, target], at, x) => {
        const delta = createDelta(base, target);
        if (!delta) return;
        const bad = Uint8Array.from(delta);
        bad[at % bad.length]! ^= x;
        try {
          expect(applyDelta(base, bad).length).toBe(deltaResultSize(bad));
        } catch (e) {
          expect(e).toBeInstanceOf(DeltaError);
        }
      }),
      { numRuns: 500 },
    );
    const base = Buffer.from("0123456789");
    expect(() => applyDelta(base, Uint8Array.of(11, 1, 1, 65))).toThrow(/base of 11 bytes/);
    expect(() => applyDelta(base, Uint8Array.of(10, 2, 0x91, 9, 2))).toThrow(/past the end of the base/);
    expect(() => applyDelta(base, Uint8Array.of(10, 1, 2, 65, 66))).toThrow(/past the stated/);
    expect(() => applyDelta(base, Uint8Array.of(10, 3, 1, 65))).toThrow(/not the stated 3/);
    expect(() => applyDelta(base, Uint8Array.of(10, 1, 0))).toThrow(/reserved/);
    expect(() => applyDelta(base, Uint8Array.of(10, 0xff))).toThrow(/cut short/);
    expect(() => applyDelta(base, Uint8Array.of(10, 0xff, 0xff, 0xff, 0x7f), 1000)).toThrow(/over the limit/);
    expect(Buffer.from(applyDelta(base, Uint8Array.of(10, 4, 0x91, 2, 3, 1, 65)))).toEqual(
      Buffer.from("234A"),
    );
  });
});

describe("git agrees", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-delta-"));
  const git = (args: string[], input?: Buffer) =>
    execFileSync("git", args, { cwd: dir, input, maxBuffer: 64 * 1024 * 1024 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  git(["init", "-q", "--bare", "."]);
  const lines = Array.from({ length: 400 }, (_, i) => `row ${i} ${"abcdefghij".repeat(1 + (i % 5))}\n`).join(
    "",
  );
  const base = Buffer.from(lines);
  const target = Buffer.from(lines.replace("row 200 ", "row two hundred ") + "one more row\n");
  const id = (b: Buffer) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");

  it("applies a delta that git pack-objects wrote", () => {
    const ids = [base, target].map((b) => git(["hash-object", "-w", "--stdin"], b).toString().trim());
    const name = git(["pack-objects", "-q", "pack"], Buffer.from(`${ids[0]} f.txt\n${ids[1]} f.txt\n`))
      .toString()
      .trim();
    const rows = git(["verify-pack", "-v", `pack-${name}.idx`])
      .toString()
      .split("\n");
    // Delta rows: <sha> blob <size> <size-in-pack> <offset> <depth> <base-sha>
    const row = rows.map((r) => r.trim().split(/\s+/)).find((r) => r.length === 7 && r[1] === "blob");
    expect(row).toBeDefined();
    const [sha, , , inPack, offset, , baseSha] = row!;
    const pack = readFileSync(join(dir, `pack-${name}.pack`));
    let at = Number(offset);
    let b = pack[at++]!;
    const type = (b >> 4) & 7;
    while (b & 0x80) b = pack[at++]!;
    if (type === 7)
      at += 20; // REF_DELTA: the base's id
    else {
      expect(type).toBe(6); // OFS_DELTA: the base's distance back
      do b = pack[at++]!;
      while (b & 0x80);
    }
    const delta = inflateSync(pack.subarray(at, Number(offset) + Number(inPack)));
    const baseBytes = git(["cat-file", "blob", baseSha!]);
    const result = Buffer.from(applyDelta(baseBytes, delta));
    expect(result).toEqual(git(["cat-file", "blob", sha!]));
  });

  it("expands a delta made here when git indexes a pack that carries it", () => {
    const delta = createDelta(base, target)!;
    expect(delta).not.toBeNull();
    const header = (type: number, size: number) => {
      const out = [((type & 7) << 4) | (size & 15) | (size > 15 ? 0x80 : 0)];
      for (let n = Math.floor(size / 16); n > 0; n = Math.floor(n / 128))
        out.push((n & 0x7f) | (n >= 128 ? 0x80 : 0));
      return Buffer.from(out);
    };
    const body = Buffer.concat([
      Buffer.from("PACK"),
      Buffer.from([0, 0, 0, 2, 0, 0, 0, 2]),
      header(3, base.length),
      deflateSync(base),
      header(7, delta.length), // REF_DELTA: the base's id, then the deflated delta
      Buffer.from(id(base), "hex"),
      deflateSync(delta),
    ]);
    const pack = Buffer.concat([body, createHash("sha1").update(body).digest()]);
    const repo = join(dir, "fresh");
    git(["init", "-q", "--bare", repo]);
    execFileSync("git", ["index-pack", "--stdin", "--strict"], { cwd: repo, input: pack });
    const out = execFileSync("git", ["cat-file", "blob", id(target)], { cwd: repo });
    expect(out).toEqual(target);
  });
});
