// The card's text and drawing without a forge: clipping keeps whole graphemes and drops what
// the font cannot draw; a card is a 1200×630 PNG; arbitrary text (emoji, control characters,
// lone surrogates, right-to-left overrides, very long words) is drawn or clipped, never thrown.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PNG_SIGNATURE } from "../meta/png.ts";
import { identiconSvg } from "../profiles/identicon.ts";
import { clipCard, type OgCard } from "./og-card.ts";
import { drawable } from "./og-fonts.ts";
import { ogRenderCount, renderOgPng } from "./og-render.ts";
import { ogHash } from "./og-service.ts";
import { clip, clipPath } from "./og-text.ts";

/** Width and height from a PNG's IHDR chunk (which must come first). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const graphemes = (s: string) => [...new Intl.Segmenter("en", { granularity: "grapheme" }).segment(s)].length;

const card = (over: Partial<OgCard> = {}): OgCard => ({
  kind: "project",
  context: "project",
  title: "acme/app",
  description: "A forge where people and AI agents work side by side.",
  facts: ["3 stars", "12 landings", "TypeScript"],
  avatar: { accountId: "", handle: "acme", hash: null },
  ...over,
});

describe("og text", () => {
  it("clips to whole graphemes with an ellipsis and cleans what it cannot draw", () => {
    expect(clip("  hello \n\t world  ", 50)).toBe("hello world");
    expect(clip("abcdefghij", 5)).toBe("abcd…");
    expect(clip("abcd efgh", 6)).toBe("abcd…");
    expect(clip("Grüße, Привет, Γειά, Việt", 100)).toBe("Grüße, Привет, Γειά, Việt");
    expect(clip("ship it 🚀 now 👨‍👩‍👧", 100)).toBe("ship it now");
    expect(clip("a\u0000b\u202Ec\uD800d", 100)).toBe("a b c d");
    expect(clip("中文", 10)).toBe("");
    expect(clip("!! ᴀ", 2)).toBe("!…"); // a kept space must not let the text run past its length
  });

  it("never throws, never exceeds its length and leaves no control characters (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 300 }),
          fc.string({ unit: "grapheme", maxLength: 300 }),
        ),
        fc.integer({ min: 1, max: 120 }),
        (s, max) => {
          const out = clip(s, max);
          expect(graphemes(out)).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/[\p{Cc}\p{Cs}]|^\s|\s$|\s\s/u);
          for (const ch of out) expect(drawable(ch.codePointAt(0)!) || ch === "…").toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hashes what is shown: text cut off the card does not change the hash", () => {
    const long = "x".repeat(400);
    expect(ogHash(card({ description: `${long}a` }))).toBe(ogHash(card({ description: `${long}b` })));
    expect(ogHash(card({ description: "one" }))).not.toBe(ogHash(card({ description: "two" })));
    expect(ogHash(card())).toMatch(/^[0-9a-f]{32}$/);
    expect(clipCard(card({ facts: ["a", "b", "c", "d", "e", "f", "g"] })).facts).toHaveLength(5);
    expect(clipCard(card({ kind: "session", title: "修复 🚀" })).title).toBe("Session");
  });
});

describe("og files of a change", () => {
  it("keeps the end of long paths and at most three files", () => {
    expect(clipPath("src/app.ts", 20)).toBe("src/app.ts");
    expect(clipPath("packages/forge/src/landing/lander.ts", 12)).toBe("…g/lander.ts");
    expect(clipPath("a\u0000b", 10)).toBe("a b");
    const files = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, added: i, removed: 1 }));
    const clipped = clipCard(card({ kind: "session", files }));
    expect(clipped.files?.map((f) => f.path)).toEqual(["f0", "f1", "f2"]);
    expect(clipCard(card({ files: [] })).files).toBeUndefined();
    expect(ogHash(card({ files: files.slice(0, 1) }))).not.toBe(ogHash(card()));
  });

  it("draws a change's card with its files (the agent-progress layout)", async () => {
    const png = await renderOgPng(
      card({
        kind: "session",
        facts: ["3 commits", "+120 \u221214", "5 files", "claude-code opus", "AI-generated"],
        files: [
          { path: `${"deep/".repeat(30)}lander.ts`, added: 90, removed: 4 },
          { path: "logo.png", added: null, removed: null },
        ],
      }),
      { svg: identiconSvg("olivia") },
    );
    expect(pngSize(png)).toEqual({ width: 1200, height: 630 });
  });
});

describe("og drawing", () => {
  it("draws a card as a 1200×630 PNG, counting each drawing", async () => {
    const before = ogRenderCount();
    const png = await renderOgPng(card({ badge: "private" }), { svg: identiconSvg("acme") });
    expect(pngSize(png)).toEqual({ width: 1200, height: 630 });
    expect(ogRenderCount()).toBe(before + 1);
  });

  it("draws arbitrary text without throwing (property, few runs: drawing is slow)", async () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 400 }),
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc.constantFrom("🚀".repeat(500), "W".repeat(1000), "\u202E\u0000\uDFFF", ""),
    );
    await fc.assert(
      fc.asyncProperty(text, text, fc.array(text, { maxLength: 7 }), async (title, description, facts) => {
        const png = await renderOgPng(card({ title, description, facts, context: title }), {
          svg: identiconSvg(title),
        });
        expect(pngSize(png)).toEqual({ width: 1200, height: 630 });
      }),
      { numRuns: 6 },
    );
  });
});
