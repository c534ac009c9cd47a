import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELIM, FLUSH, type Pkt, PktError, pktLine, readPkts } from "./pkt-line.ts";

const pkt = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((d): Pkt => ({ kind: "data", data: Buffer.from(d) })),
  fc.constantFrom<Pkt>({ kind: "flush" }, { kind: "delim" }, { kind: "end" }),
);
const encode = (p: Pkt) =>
  p.kind === "data"
    ? pktLine(p.data)
    : p.kind === "flush"
      ? FLUSH
      : p.kind === "delim"
        ? DELIM
        : Buffer.from("0002");

describe("pkt-lines", () => {
  it("reads back what was written, whatever the input is cut into", () => {
    fc.assert(
      fc.property(fc.array(pkt, { maxLength: 20 }), fc.nat(), (pkts, cut) => {
        const all = Buffer.concat(pkts.map(encode));
        expect(readPkts(all)).toEqual({ pkts, used: all.length });
        // A prefix yields the complete packets in it and stops before a partial one.
        const at = all.length === 0 ? 0 : cut % (all.length + 1);
        const first = readPkts(all.subarray(0, at));
        const rest = readPkts(all.subarray(first.used));
        expect([...first.pkts, ...rest.pkts]).toEqual(pkts);
      }),
    );
  });

  it("refuses malformed lengths and never reads past its input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const { used } = readPkts(Buffer.from(bytes));
          expect(used).toBeLessThanOrEqual(bytes.length);
        } catch (err) {
          expect(err).toBeInstanceOf(PktError);
        }
      }),
    );
    expect(() => readPkts(Buffer.from("0003"))).toThrow(PktError);
    expect(() => readPkts(Buffer.from("zzzz"))).toThrow(PktError);
    expect(() => readPkts(Buffer.from("fff5"))).toThrow(PktError);
    expect(readPkts(Buffer.from("0014command=ls-refs\n0000")).pkts[0]).toEqual({
      kind: "data",
      data: Buffer.from("command=ls-refs\n"),
    });
  });
});
