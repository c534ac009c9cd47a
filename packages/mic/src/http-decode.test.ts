// Decoding compressed answers: gzip and br round-trip any bytes, a body that decodes past
// the cap (a small compression bomb) is refused, and unknown or corrupt encodings throw.
import { brotliCompressSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBody } from "./http-decode.ts";

describe("decodeBody", () => {
  it("round-trips gzip and br", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (bytes) => {
        const b = Buffer.from(bytes);
        expect((await decodeBody(gzipSync(b), "gzip", 1 << 20)).equals(b)).toBe(true);
        expect((await decodeBody(brotliCompressSync(b), " BR ", 1 << 20)).equals(b)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("stops at the cap, and refuses what it cannot decode", async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(decodeBody(bomb, "gzip", 1 << 20)).rejects.toThrow(/more than 1048576 bytes/);
    await expect(decodeBody(Buffer.from("plain"), "gzip", 1 << 20)).rejects.toThrow();
    await expect(decodeBody(Buffer.from("x"), "deflate", 1 << 20)).rejects.toThrow(
      /unknown content encoding/,
    );
  });
});
