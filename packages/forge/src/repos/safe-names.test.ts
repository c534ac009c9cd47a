import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertSafePath, assertSafeRef } from "./safe-names.ts";

describe("ref and path validation", () => {
  it("accepts ordinary refs and paths", () => {
    for (const r of ["main", "feature/x", "v1.0.0", "0123456789abcdef0123456789abcdef01234567"])
      expect(assertSafeRef(r)).toBe(r);
    for (const p of ["README.md", "src/a.ts", "dir/sub/", "a b/c"])
      expect(() => assertSafePath(p)).not.toThrow();
  });

  it("refuses refs that git could read as options or that escape", () => {
    for (const r of [
      "-x",
      "--upload-pack=touch /tmp/pwn",
      "a..b",
      "HEAD@{1}",
      "a b",
      "x\0y",
      "/abs",
      "a:b",
      "x.lock",
      "",
    ]) {
      expect(() => assertSafeRef(r), r).toThrow();
    }
  });

  it("refuses traversal, absolute paths, NUL bytes and leading dashes", () => {
    for (const p of ["../etc/passwd", "a/../../b", "/etc/passwd", "a\0b", "-rf", "./a", "a//b"]) {
      expect(() => assertSafePath(p), p).toThrow();
    }
  });

  it("never lets an accepted path escape or look like an option (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        let ok = true;
        try {
          assertSafePath(s);
        } catch {
          ok = false;
        }
        if (ok && s !== "") {
          expect(s.startsWith("/") || s.startsWith("-") || s.includes("\0")).toBe(false);
          expect(s.split("/").includes("..")).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => assertSafePath("/")).toThrow();
  });
});
