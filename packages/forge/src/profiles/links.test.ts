import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bioField, LinkError, linksField, normalizeSocial, normalizeUrl, websiteField } from "./links.ts";

describe("normalizeUrl", () => {
  it("adds https:// to a bare domain and keeps paths", () => {
    expect(normalizeUrl("example.com")).toBe("https://example.com");
    expect(normalizeUrl("  Example.COM/a?b=1 ")).toBe("https://example.com/a?b=1");
    expect(normalizeUrl("http://example.com/")).toBe("http://example.com");
    expect(normalizeUrl("//example.org/x")).toBe("https://example.org/x");
    expect(normalizeUrl("example.com:8080/x")).toBe("https://example.com:8080/x");
  });

  it("refuses javascript:, data: and every other scheme", () => {
    for (const bad of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      " javascript://example.com/%0aalert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox",
      "file:///etc/passwd",
      "ftp://example.com",
      "mailto:a@example.com",
    ]) {
      expect(() => normalizeUrl(bad), bad).toThrow(LinkError);
    }
  });

  it("refuses credentials, spaces, and hosts that are not domains", () => {
    for (const bad of ["https://user:pw@example.com", "exa mple.com", "localhost", "java\nscript:x", ""]) {
      expect(() => normalizeUrl(bad), bad).toThrow(LinkError);
    }
  });

  it("property: every accepted input becomes an http(s) URL, and normalizing twice changes nothing", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.domain()), (s) => {
        let out: string;
        try {
          out = normalizeUrl(s);
        } catch (err) {
          expect(err).toBeInstanceOf(LinkError);
          return;
        }
        expect(["http:", "https:"]).toContain(new URL(out).protocol);
        expect(normalizeUrl(out)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: web URLs and domains are accepted", () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ["http", "https"] }), (u) => {
        expect(normalizeUrl(u)).toMatch(/^https?:\/\//);
      }),
    );
    fc.assert(
      fc.property(fc.domain(), (d) => {
        expect(normalizeUrl(d)).toBe(new URL(`https://${d}`).origin);
      }),
    );
  });

  it("property: any scheme other than http(s) is refused, whatever its case", () => {
    const scheme = fc
      .stringMatching(/^[a-zA-Z][a-zA-Z0-9+.-]{0,15}$/)
      .filter((s) => !["http", "https"].includes(s.toLowerCase()));
    const rest = fc.string({ maxLength: 40 }).filter((r) => !/^\d/.test(r));
    fc.assert(
      fc.property(scheme, rest, (s, r) => {
        expect(() => normalizeUrl(`${s}:${r}`)).toThrow(LinkError);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("normalizeSocial", () => {
  it("expands bare handles to profile URLs", () => {
    expect(normalizeSocial("github", "@alice")).toBe("https://github.com/alice");
    expect(normalizeSocial("x", "alice_1")).toBe("https://x.com/alice_1");
    expect(normalizeSocial("mastodon", "@alice@hachyderm.io")).toBe("https://hachyderm.io/@alice");
    expect(normalizeSocial("bluesky", "bsky.app/profile/alice.bsky.social")).toBe(
      "https://bsky.app/profile/alice.bsky.social",
    );
    expect(() => normalizeSocial("github", "javascript:alert(1)")).toThrow(LinkError);
  });
});

describe("schemas", () => {
  it("bio is at most 160 characters after trimming", () => {
    expect(bioField.safeParse("a".repeat(160)).success).toBe(true);
    expect(bioField.safeParse(` ${"a".repeat(160)} `).success).toBe(true);
    expect(bioField.safeParse("a".repeat(161)).success).toBe(false);
  });

  it("website and links normalize, and unknown networks are refused", () => {
    expect(websiteField.parse("example.com")).toBe("https://example.com");
    expect(websiteField.parse("  ")).toBe("");
    expect(websiteField.safeParse("javascript:alert(1)").success).toBe(false);
    expect(linksField.parse({ github: "github.com/alice", x: null })).toEqual({
      github: "https://github.com/alice",
      x: null,
    });
    expect(linksField.safeParse({ myspace: "https://myspace.com/a" }).success).toBe(false);
    expect(linksField.safeParse({ linkedin: "data:text/html,x" }).success).toBe(false);
  });
});
