// The pieces without a server: badge SVGs are well-formed XML for any text and sized from
// the width table, relative dates and short numbers, JSON-LD that no string can break out
// of, and the PNG encoder and ICO container checked by decoding what they produce.
import { inflateSync } from "node:zlib";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { escapeXml, renderBadge } from "./badge-svg.ts";
import { metric, relativeDate } from "./badges.ts";
import { drawLogo, faviconIco, ICO_SIZES } from "./favicon.ts";
import { buildIco, parseIco } from "./ico.ts";
import { serializeJsonLd } from "./json-ld.ts";
import { crc32, encodePng, PNG_SIGNATURE } from "./png.ts";
import { charWidth, textWidth } from "./text-width.ts";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", trimValues: false });

describe("badge SVG", () => {
  it("is valid XML whatever the label and value, and carries them unchanged", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        (label, value) => {
          const svg = renderBadge({ label, value, color: "#4c1" });
          expect(XMLValidator.validate(svg)).toBe(true);
          const doc = parser.parse(svg);
          const clean = (s: string) =>
            [...s.replace(/[\t\n\r]/g, " ")].filter((ch) => escapeXml(ch) !== "").join("");
          expect(String(doc.svg["@aria-label"])).toBe(`${clean(label)}: ${clean(value)}`);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("escapes markup instead of emitting it", () => {
    const svg = renderBadge({ label: `<script>alert("x")</script>`, value: "a&b'", color: "#4c1" });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(svg).toContain("a&amp;b&apos;");
  });
  it("sizes each half from the Verdana width table plus 5 px padding on each side", () => {
    const svg = renderBadge({ label: "landings", value: "12", color: "#007ec6" });
    const doc = parser.parse(svg).svg;
    const lw = Math.ceil(textWidth("landings")) + 10;
    const vw = Math.ceil(textWidth("12")) + 10;
    expect(Number(doc["@width"])).toBe(lw + vw);
    expect(svg).toContain(`<rect width="${lw}" height="20" fill="#555"/>`);
    expect(svg).toContain(`<rect x="${lw}" width="${vw}" height="20" fill="#007ec6"/>`);
  });
  it("refuses a colour that is not a hex colour", () => {
    expect(renderBadge({ label: "a", value: "b", color: 'red" onload="x' })).not.toContain("onload");
  });
  it("measures like Verdana 11px: digits equal, wide letters wider, unknown characters not narrow", () => {
    expect(charWidth("0")).toBeCloseTo(7, 0);
    expect(charWidth("1")).toBe(charWidth("8"));
    expect(charWidth("W")).toBeGreaterThan(charWidth("i"));
    expect(charWidth("漢")).toBeGreaterThanOrEqual(charWidth("m"));
    expect(textWidth("ab")).toBeCloseTo(charWidth("a") + charWidth("b"), 9);
  });
});

describe("relativeDate and metric", () => {
  const now = new Date("2026-06-15T12:00:00Z");
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
  it.each([
    [0, "today"],
    [1, "yesterday"],
    [3, "3 days ago"],
    [14, "2 weeks ago"],
    [70, "2 months ago"],
    [400, "1 year ago"],
    [800, "2 years ago"],
  ])("%i days → %s", (days, text) => expect(relativeDate(ago(days), now)).toBe(text));
  it("says today for a date in the future (clock skew)", () =>
    expect(relativeDate(ago(-1), now)).toBe("today"));
  it.each([
    [0, "0"],
    [999, "999"],
    [1234, "1.2k"],
    [15_000, "15k"],
    [2_500_000, "2.5M"],
  ])("%i → %s", (n, text) => expect(metric(n)).toBe(text));
});

describe("serializeJsonLd", () => {
  it("round-trips any data and never contains <, > or & literally", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, description) => {
        const data = { "@type": "SoftwareSourceCode", name, description };
        const out = serializeJsonLd(data);
        expect(out).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(out)).toEqual(data);
      }),
    );
  });
  it("cannot close the script element", () => {
    const out = serializeJsonLd({ description: "</script><script>alert(1)</script><!--" });
    expect(out.toLowerCase()).not.toContain("</script");
    expect(out).not.toContain("<!--");
  });
});

/** Decodes the PNGs this module writes (RGBA, 8 bit, filter 0) and checks every CRC. */
function decodePng(png: Buffer) {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let at = 8;
  const chunks: { type: string; data: Buffer }[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    chunks.push({ type, data });
    at += 12 + len;
  }
  expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([8, 6, 0, 0, 0]);
  const raw = inflateSync(chunks[1]!.data);
  expect(raw.length).toBe((width * 4 + 1) * height);
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

describe("PNG and ICO", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
  it("encodes pixels that decode back to the same pixels", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        (w, h, seed) => {
          const px = new Uint8Array(w * h * 4).map((_, i) => (seed * 31 + i * 17) & 0xff);
          const out = decodePng(encodePng(w, h, px));
          expect([out.width, out.height]).toEqual([w, h]);
          expect(new Uint8Array(out.rgba)).toEqual(px);
        },
      ),
      { numRuns: 50 },
    );
  });
  it("refuses pixel data of the wrong length", () => {
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(RangeError);
  });
  it("the logo is a disc: opaque in the middle, transparent in the corners", () => {
    const px = drawLogo(32);
    const alpha = (x: number, y: number) => px[(y * 32 + x) * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(31, 31)).toBe(0);
    expect(alpha(16, 16)).toBe(255);
    expect(alpha(16, 3)).toBe(255);
    expect([px[(16 * 32 + 3) * 4], px[(16 * 32 + 3) * 4 + 1]]).toEqual([0x2f, 0x6f]); // green ring
    expect(px[(16 * 32 + 16) * 4]).toBe(255); // white centre
  });
  it("favicon.ico holds 16, 32 and 48 px PNGs", () => {
    const entries = parseIco(faviconIco());
    expect(entries.map((e) => [e.width, e.height])).toEqual(ICO_SIZES.map((s) => [s, s]));
    for (const e of entries) {
      expect(e.isPng).toBe(true);
      expect(e.bitsPerPixel).toBe(32);
      const png = decodePng(e.data);
      expect([png.width, png.height]).toEqual([e.width, e.height]);
    }
  });
  it("stores 256 px as 0 in the directory and rejects malformed files", () => {
    const png = encodePng(1, 1, new Uint8Array(4));
    expect(parseIco(buildIco([{ size: 256, png }]))[0]!.width).toBe(256);
    expect(() => parseIco(Buffer.from([0, 0, 2, 0, 1, 0]))).toThrow();
    const cut = buildIco([{ size: 16, png }]).subarray(0, 30);
    expect(() => parseIco(cut)).toThrow(/outside|truncated/);
  });
});
