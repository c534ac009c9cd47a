import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conflictProbes, expandPaths, normalizePath, pathsConflict } from "./paths.ts";

/** Paths from a tiny alphabet so equal paths, ancestors and siblings are common. */
const smallPath = fc
  .array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join("/"));

/** The rule, stated directly: equal, or one is an ancestor of the other. */
const related = (p: string, q: string) => p === q || q.startsWith(`${p}/`) || p.startsWith(`${q}/`);

describe("expandPaths", () => {
  it("adds every parent directory with a trailing slash", () => {
    expect([...expandPaths(["a/b/c.ts"])].sort()).toEqual(["a/", "a/b/", "a/b/c.ts"]);
    expect([...expandPaths(["a", "a/b"])].sort()).toEqual(["a", "a/", "a/b"]);
    expect(expandPaths([]).size).toBe(0);
  });

  it("normalizes slashes and refuses empty or relative paths", () => {
    expect(normalizePath("/a//b/")).toBe("a/b");
    expect(() => normalizePath("/")).toThrow(TypeError);
    expect(() => normalizePath("a/../b")).toThrow(TypeError);
    expect(() => normalizePath("./a")).toThrow(TypeError);
  });
});

describe("pathsConflict", () => {
  it("follows the documented rule on examples", () => {
    expect(pathsConflict(["a/b.ts"], ["a/b.ts"])).toEqual(["a/b.ts"]);
    // The landing deleted the file "a" and replaced it with a directory.
    expect(pathsConflict(["a/b.ts"], ["a", "a/x.ts"])).toEqual(["a/b.ts"]);
    expect(pathsConflict(["a"], ["a/x.ts"])).toEqual(["a"]);
    // Siblings only share a parent directory.
    expect(pathsConflict(["a/b.ts"], ["a/c.ts"])).toEqual([]);
    // A file and a sibling whose name merely starts the same.
    expect(pathsConflict(["a"], ["ab/c"])).toEqual([]);
    // A directory given with a trailing slash means its whole subtree.
    expect(pathsConflict(["docs/"], ["docs/guide/x.md", "src/y.ts"])).toEqual(["docs"]);
  });

  it("returns exactly the paths of a related to some path of b, and is symmetric in emptiness", () => {
    fc.assert(
      fc.property(fc.array(smallPath, { maxLength: 5 }), fc.array(smallPath, { maxLength: 5 }), (a, b) => {
        const expected = [...new Set(a.filter((p) => b.some((q) => related(p, q))))].sort();
        expect(pathsConflict(a, b)).toEqual(expected);
        expect(pathsConflict(a, b).length === 0).toBe(pathsConflict(b, a).length === 0);
      }),
    );
  });

  it("is decided by probes(session) ∩ expandPaths(landing), which is what the filters test", () => {
    fc.assert(
      fc.property(fc.array(smallPath, { maxLength: 5 }), fc.array(smallPath, { maxLength: 5 }), (a, b) => {
        const stored = expandPaths(b);
        const meets = [...conflictProbes(a)].some((s) => stored.has(s));
        expect(meets).toBe(pathsConflict(a, b).length > 0);
      }),
    );
  });
});
