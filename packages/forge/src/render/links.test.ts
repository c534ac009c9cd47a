// The markdown URL policy on its own: which schemes pass, how relative paths resolve, and a
// property that no relative URL ever escapes its base or keeps a dot segment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveUrl } from "./links.ts";

const ctx = { linkBase: "/o/p/blob/main/", rawBase: "/o/p/raw/main", path: "a/b/README.md" };
const link = (raw: string) => resolveUrl(raw, "link", ctx)?.url;
const image = (raw: string) => resolveUrl(raw, "image", ctx)?.url;

describe("resolveUrl", () => {
  it("refuses script-capable and unknown schemes however they are disguised", () => {
    const refused = [
      "javascript:alert(1)",
      " JaVaScRiPt:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "\u0001javascript:alert(1)",
      "vbscript:msgbox(1)",
      "data:text/html,<script>",
      "file:///etc/passwd",
      "",
      "  ",
    ];
    for (const raw of refused) expect(link(raw), JSON.stringify(raw)).toBeUndefined();
    expect(image("data:image/png;base64,AAAA")).toBeUndefined();
    expect(image("mailto:a@example.com")).toBeUndefined();
  });

  it("treats a control character inside the scheme as a relative path under the base", () => {
    expect(link("java\u0001script:alert(1)")).toBe("/o/p/blob/main/a/b/java%01script%3Aalert(1)");
  });

  it("marks http(s) and protocol-relative URLs external and normalizes them", () => {
    expect(resolveUrl("https://x.example/a b", "link", ctx)).toEqual({
      url: "https://x.example/a%20b",
      external: true,
    });
    expect(link("/\\evil.example/x")).toBe("https://evil.example/x");
    expect(link("http://[bad")).toBeUndefined();
  });

  it("resolves relative paths from the file's folder, clamped at the root", () => {
    expect(link("c.md")).toBe("/o/p/blob/main/a/b/c.md");
    expect(link("../c.md?plain=1#L3")).toBe("/o/p/blob/main/a/c.md?plain=1#L3");
    expect(link("../../../../../c.md")).toBe("/o/p/blob/main/c.md");
    expect(link("/c.md")).toBe("/o/p/blob/main/c.md");
    expect(image("./img/x y.png")).toBe("/o/p/raw/main/a/b/img/x%20y.png");
    expect(link("#Section 2")).toBe("#Section%202");
  });

  it("never leaves the base for relative URLs, and leaves no dot segments (property)", () => {
    const pieces = fc.constantFrom(
      "..",
      ".",
      "%2e%2e",
      "%2E.",
      "a",
      "b c",
      "%2f",
      "%5c",
      "\\",
      "/",
      "?",
      "#",
      "%",
    );
    const pathLike = fc.array(pieces, { maxLength: 12 }).map((p) => p.join("/"));
    fc.assert(
      fc.property(
        fc.oneof(pathLike, fc.string({ maxLength: 30 })),
        fc.constantFrom("", "x/y/z.md"),
        (raw, path) => {
          const r = resolveUrl(raw, "link", { ...ctx, path });
          if (!r || r.external || r.url.startsWith("#") || r.url.startsWith("mailto:")) return;
          expect(r.url.startsWith("/o/p/blob/main/")).toBe(true);
          const pathPart = r.url.slice("/o/p/blob/main/".length).split(/[?#]/)[0]!;
          for (const segment of pathPart.split("/")) {
            expect([".", ".."]).not.toContain(decodeURIComponent(segment));
            expect(segment).not.toMatch(/[\\\s"<>]/);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
