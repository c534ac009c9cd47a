import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountHandle, projectHandle, RESERVED_HANDLES } from "./handles.ts";

describe("handles", () => {
  it("accepts ordinary handles", () => {
    for (const h of ["ada", "Ada-Lovelace", "a", "x1", "a-b-c"])
      expect(accountHandle.safeParse(h).success).toBe(true);
  });

  it("refuses reserved words in any case", () => {
    for (const h of ["api", "ADMIN", "Settings", "login"])
      expect(accountHandle.safeParse(h).success).toBe(false);
  });

  it("refuses bad shapes", () => {
    for (const h of ["", "-a", "a-", "a--b", "a b", "a/b", "ä", "a".repeat(40), "../x"]) {
      expect(accountHandle.safeParse(h).success).toBe(false);
    }
  });

  it("never accepts a handle that could escape a URL segment (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (s) => {
        const ok = accountHandle.safeParse(s).success;
        if (ok) {
          expect(s).toMatch(/^[A-Za-z0-9-]+$/);
          expect(RESERVED_HANDLES.has(s.toLowerCase())).toBe(false);
        }
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        if (projectHandle.safeParse(s).success) {
          expect(s).toMatch(/^[A-Za-z0-9._-]+$/);
          expect(s.includes("..")).toBe(false);
          expect(s.startsWith(".")).toBe(false);
        }
      }),
    );
  });

  it("project handles allow dots and underscores but not .git or ..", () => {
    expect(projectHandle.safeParse("my.lib_v2").success).toBe(true);
    expect(projectHandle.safeParse("repo.git").success).toBe(false);
    expect(projectHandle.safeParse("a..b").success).toBe(false);
    expect(projectHandle.safeParse(".hidden").success).toBe(false);
  });
});
