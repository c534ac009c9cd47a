// The capped capture keeps exactly the first `cap` bytes, counts all of them, and passes
// only kept bytes to the sink, however the stream is cut into chunks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CappedCapture } from "./capture.ts";

describe("CappedCapture", () => {
  it("keeps the first cap bytes and counts every byte", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
        fc.nat(300),
        fc.nat(100),
        (chunks, cap, skipped) => {
          const sunk: Buffer[] = [];
          const c = new CappedCapture(cap, (b) => sunk.push(b));
          for (const ch of chunks) c.push(Buffer.from(ch));
          c.skip(skipped);
          const all = Buffer.concat(chunks.map((ch) => Buffer.from(ch)));
          const r = c.result();
          expect(r.bytes).toBe(all.length + skipped);
          expect(Buffer.concat(sunk).equals(all.subarray(0, cap))).toBe(true);
          expect(r.text).toBe(all.subarray(0, cap).toString("utf8"));
          expect(r.truncated).toBe(all.length + skipped > Math.min(cap, all.length));
          expect(c.room).toBe(Math.max(0, cap - Math.min(cap, all.length)));
        },
      ),
    );
  });

  it("survives a sink that throws", () => {
    const c = new CappedCapture(10, () => {
      throw new Error("sink down");
    });
    c.push(Buffer.from("hello"));
    expect(c.result().text).toBe("hello");
  });
});
