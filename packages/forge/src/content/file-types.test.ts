// Properties of the rules for serving files by name (file-types.ts) and of their signed URLs
// (file-urls.ts): no name and no bytes make an active document or an unsafe header, and a
// signature opens exactly the project, blob, name and time span it was made for.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "../crypto/secret-box.ts";
import type { Forge } from "../http/context.ts";
import { disposition, fileType } from "./file-types.ts";
import { cdnFileUrl, fileSecondsLeft, fileSignature } from "./file-urls.ts";

const SAFE = new Set([
  "text/plain; charset=utf-8",
  "application/octet-stream",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/bmp",
  "image/x-icon",
  "audio/mpeg",
  "audio/wav",
  "audio/ogg",
  "video/mp4",
  "video/webm",
]);
const name = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc
    .tuple(
      fc.string({ maxLength: 20 }),
      fc.constantFrom("html", "HTM", "svg", "xhtml", "png", "js", "xml", "txt"),
    )
    .map(([a, b]) => `${a}.${b}`),
);

describe("files by name", () => {
  it("never serves a document type, and only raster images and media inline", () => {
    fc.assert(
      fc.property(name, fc.boolean(), (n, binary) => {
        const t = fileType(n, binary);
        expect(SAFE.has(t.contentType)).toBe(true);
        if (!t.attachment) expect(t.contentType === "text/plain; charset=utf-8" || binary).toBe(true);
        if (t.contentType === "image/svg+xml" || t.contentType === "application/octet-stream")
          expect(t.attachment).toBe(true);
      }),
    );
    expect(fileType("a.svg", false)).toEqual({ contentType: "image/svg+xml", attachment: true });
    expect(fileType("a.png", true)).toEqual({ contentType: "image/png", attachment: false });
    expect(fileType("a.html", false).contentType).toBe("text/plain; charset=utf-8");
  });

  it("names any file in Content-Disposition without breaking out of the header", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: "binary" }), fc.boolean(), (n, attachment) => {
        const d = disposition(n, attachment);
        expect(d).toMatch(
          /^(attachment|inline); filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[\x21-\x7e]*$/,
        );
      }),
    );
  });

  it("signs one file of one project for a while: any other file, name or project is refused", () => {
    const secrets = createSecretBox(randomBytes(32));
    const forge = { secrets, config: { cdnUrl: "https://cdn.example.test" } } as unknown as Forge;
    const project = { id: "p1", owner_handle: "o", handle: "p", visibility: "private" };
    const now = Date.parse("2026-12-07T03:00:30Z");
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{40}$/),
        fc.string({ minLength: 1, maxLength: 50 }).filter((n) => !n.includes("/") && n !== "." && n !== ".."),
        fc.string({ minLength: 1, maxLength: 50 }),
        (sha, n, other) => {
          const url = new URL(cdnFileUrl(forge, project, sha, n, now)!);
          const sig = { expires: url.searchParams.get("expires")!, sig: url.searchParams.get("sig")! };
          const left = fileSecondsLeft(forge, "p1", sha, n, sig, now);
          expect(left).toBeGreaterThan(540);
          expect(left).toBeLessThanOrEqual(600);
          expect(decodeURIComponent(url.pathname.split("/").pop()!)).toBe(n);
          if (other !== n) expect(fileSecondsLeft(forge, "p1", sha, other, sig, now)).toBeNull();
          expect(fileSecondsLeft(forge, "p2", sha, n, sig, now)).toBeNull();
          expect(fileSecondsLeft(forge, "p1", "0".repeat(40), n, sig, now)).toBeNull();
          expect(fileSecondsLeft(forge, "p1", sha, n, sig, now + 601_000)).toBeNull();
        },
      ),
      { numRuns: 50 },
    );
    // "." and ".." name no file: no URL (a URL's path would drop them).
    expect(cdnFileUrl(forge, project, "a".repeat(40), ".", now)).toBeUndefined();
    expect(cdnFileUrl(forge, project, "a".repeat(40), "..", now)).toBeUndefined();
    // Within a minute the URL is the same (the browser keeps the image); a public one has no signature.
    expect(cdnFileUrl(forge, project, "a".repeat(40), "x.png", now)).toBe(
      cdnFileUrl(forge, project, "a".repeat(40), "x.png", now + 20_000),
    );
    const expires = Math.floor(now / 1000) + 100;
    const sig = fileSignature(forge, "p1", "a".repeat(40), "x.png", expires);
    expect(
      fileSecondsLeft(forge, "p1", "a".repeat(40), "x.png", { expires: String(expires), sig }, now),
    ).toBe(100);
    expect(cdnFileUrl(forge, { ...project, visibility: "public" }, "a".repeat(40), "x.png")).toBe(
      `https://cdn.example.test/api/v1/projects/o/p/objects/${"a".repeat(40)}/x.png`,
    );
    expect(cdnFileUrl(forge, project, "a".repeat(40), "x".repeat(256))).toBeUndefined();
  });
});
