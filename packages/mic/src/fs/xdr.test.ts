// XDR property tests: whatever is written reads back equal, every item fills a multiple of
// four bytes, and a reader given a cut-off buffer throws XdrError instead of reading garbage.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { XdrError, XdrReader, XdrWriter } from "./xdr.ts";

type Item =
  | { k: "uint"; v: number }
  | { k: "int"; v: number }
  | { k: "hyper"; v: bigint }
  | { k: "bool"; v: boolean }
  | { k: "opaque"; v: Uint8Array }
  | { k: "string"; v: string };

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.nat({ max: 0xffffffff }).map((v) => ({ k: "uint" as const, v })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => ({ k: "int" as const, v })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ k: "hyper" as const, v })),
  fc.boolean().map((v) => ({ k: "bool" as const, v })),
  fc.uint8Array({ maxLength: 40 }).map((v) => ({ k: "opaque" as const, v })),
  fc.string({ maxLength: 30 }).map((v) => ({ k: "string" as const, v })),
);

const write = (w: XdrWriter, i: Item) => {
  switch (i.k) {
    case "uint":
      return w.uint(i.v);
    case "int":
      return w.int(i.v);
    case "hyper":
      return w.hyper(i.v);
    case "bool":
      return w.bool(i.v);
    case "opaque":
      return w.opaque(i.v);
    case "string":
      return w.string(i.v);
  }
};
const read = (r: XdrReader, i: Item): unknown => {
  switch (i.k) {
    case "opaque":
      return new Uint8Array(r.opaque());
    default:
      return r[i.k]();
  }
};

describe("XDR", () => {
  it("reads back what it wrote, four-byte aligned", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), (items) => {
        const w = new XdrWriter();
        for (const i of items) write(w, i);
        const buf = w.toBuffer();
        expect(buf.length % 4).toBe(0);
        const r = new XdrReader(buf);
        for (const i of items) expect(read(r, i)).toEqual(i.v);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it("throws XdrError on any truncation, never returns garbage", () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 10 }), fc.nat(), (items, cut) => {
        const buf = items.reduce((w, i) => write(w, i) ?? w, new XdrWriter()).toBuffer();
        const short = buf.subarray(0, cut % buf.length);
        const r = new XdrReader(short);
        expect(() => {
          for (const i of items) read(r, i);
        }).toThrow(XdrError);
      }),
    );
  });

  it("encodes as RFC 4506 says", () => {
    const buf = new XdrWriter()
      .uint(1)
      .int(-1)
      .hyper(2n ** 32n + 5n)
      .string("abcde")
      .bool(true)
      .toBuffer();
    expect(buf.toString("hex")).toBe("00000001ffffffff0000000100000005000000056162636465000000" + "00000001");
    expect(() => new XdrReader(Buffer.from("00000002", "hex")).bool()).toThrow(XdrError);
    expect(() => new XdrReader(Buffer.from("00001000", "hex")).opaque(16)).toThrow(XdrError);
  });
});
