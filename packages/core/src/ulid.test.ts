import fc from "fast-check";
import { decodeTime, ulid as reference } from "ulid";
import { describe, expect, it } from "vitest";
import { ulid, ulidTime } from "./ulid.ts";

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe("ulid", () => {
  it("encodes any time like the reference package, and decodes it back", () => {
    fc.assert(
      // From 1: the package takes a time of 0 as "none given" and uses the clock.
      fc.property(fc.integer({ min: 1, max: 2 ** 48 - 1 }), (t) => {
        const id = ulid(t);
        expect(id).toMatch(ULID);
        expect(id.slice(0, 10)).toBe(reference(t).slice(0, 10));
        expect(ulidTime(id)).toBe(t);
        expect(decodeTime(id)).toBe(t);
      }),
    );
  });

  it("encodes time 0 as zeros", () => {
    expect(ulid(0).slice(0, 10)).toBe("0000000000");
    expect(ulidTime(ulid(0))).toBe(0);
  });

  it("sorts by time, and ids of one millisecond differ", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), fc.integer({ min: 1, max: 1000 }), (t, d) => {
        expect(ulid(t) < ulid(Math.min(t + d, 2 ** 48 - 1))).toBe(true);
      }),
    );
    const ids = new Set(Array.from({ length: 5000 }, () => ulid(1_700_000_000_000)));
    expect(ids.size).toBe(5000);
  });

  it("uses every character of the alphabet in the random part", () => {
    const seen = new Set(
      Array.from({ length: 400 }, () => ulid().slice(10))
        .join("")
        .split(""),
    );
    expect(seen.size).toBe(32);
  });

  it("refuses times it cannot encode", () => {
    for (const t of [-1, 2 ** 48, 1.5, Number.NaN]) expect(() => ulid(t)).toThrow(RangeError);
    expect(() => ulidTime("!".repeat(26))).toThrow(RangeError);
  });
});
