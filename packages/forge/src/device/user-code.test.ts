// User codes: generated codes round-trip through display and typing, and anything that is
// not exactly eight letters of the alphabet (ignoring case, spaces and dashes) is refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatUserCode, newUserCode, normalizeUserCode, USER_CODE_ALPHABET } from "./user-code.ts";

describe("user codes", () => {
  it("generates codes that survive display and sloppy typing", () => {
    for (let i = 0; i < 200; i++) {
      const code = newUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      expect(normalizeUserCode(formatUserCode(code))).toBe(code);
      expect(normalizeUserCode(` ${formatUserCode(code).toLowerCase()} `)).toBe(code);
    }
  });

  it("accepts exactly the eight-letter codes of the alphabet", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const n = normalizeUserCode(s);
        if (n === null) return;
        expect(n).toHaveLength(8);
        for (const ch of n) expect(USER_CODE_ALPHABET).toContain(ch);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...USER_CODE_ALPHABET), { minLength: 8, maxLength: 8 }), (cs) => {
        const code = cs.join("");
        expect(normalizeUserCode(`${code.slice(0, 4)}-${code.slice(4)}`)).toBe(code);
      }),
    );
    for (const bad of ["", "ABCD-EFGH", "BCDF-GHJ", "BCDF-GHJKL", "BCDF-GHJ0", "BCDF_GHJK", "x".repeat(100)])
      expect(normalizeUserCode(bad), bad).toBeNull();
  });
});
