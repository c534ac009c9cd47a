// The batch answer's frames parse back to what was framed (objects, deltas, missing and
// deferred ids), and a cut-short answer yields only its complete frames.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BatchFrame, parseBatch } from "./batch-frames.ts";

const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
const frame: fc.Arbitrary<BatchFrame> = fc.oneof(
  fc.record({
    kind: fc.constant("object" as const),
    sha,
    type: fc.constantFrom("blob", "tree"),
    data: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  }),
  fc.record({
    kind: fc.constant("delta" as const),
    sha,
    base: sha,
    data: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  }),
  fc.record({ kind: fc.constantFrom("missing" as const, "deferred" as const), sha }),
);
const framed = (f: BatchFrame) =>
  f.kind === "object"
    ? Buffer.concat([Buffer.from(`${f.sha} ${f.type} ${f.data.length}\n`), f.data, Buffer.from("\n")])
    : f.kind === "delta"
      ? Buffer.concat([Buffer.from(`${f.sha} delta ${f.data.length} ${f.base}\n`), f.data, Buffer.from("\n")])
      : Buffer.from(`${f.sha} ${f.kind}\n`);

describe("parseBatch", () => {
  it("reads back every frame, and only whole frames of a cut answer", () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.nat(), (frames, cut) => {
        const parts = frames.map(framed);
        const all = Buffer.concat(parts);
        expect(parseBatch(all)).toEqual(frames);
        const short = parseBatch(all.subarray(0, cut % (all.length + 1)));
        expect(frames.slice(0, short.length)).toEqual(short);
      }),
      { numRuns: 300 },
    );
  });
});
