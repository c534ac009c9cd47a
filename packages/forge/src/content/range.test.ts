// HTTP byte ranges: every answer lies inside the body, and the three forms agree with slicing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rangeOf } from "./range.ts";

describe("rangeOf", () => {
  it("parses the three forms and refuses what lies past the end", () => {
    expect(rangeOf("bytes=0-3", 10)).toEqual({ start: 0, end: 3 });
    expect(rangeOf("bytes=4-", 10)).toEqual({ start: 4, end: 9 });
    expect(rangeOf("bytes=-4", 10)).toEqual({ start: 6, end: 9 });
    expect(rangeOf("bytes=5-100", 10)).toEqual({ start: 5, end: 9 });
    expect(rangeOf("bytes=10-", 10)).toBe("unsatisfiable");
    expect(rangeOf("bytes=0-1,4-5", 10)).toBeNull();
    expect(rangeOf("items=0-1", 10)).toBeNull();
    expect(rangeOf(undefined, 10)).toBeNull();
  });

  it("never answers a range outside the body", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.option(fc.nat(1200)), fc.option(fc.nat(1200)), (len, a, b) => {
        const r = rangeOf(`bytes=${a ?? ""}-${b ?? ""}`, len);
        if (r && r !== "unsatisfiable") {
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeLessThan(len);
          expect(r.start).toBeLessThanOrEqual(r.end);
        }
      }),
    );
  });
});
