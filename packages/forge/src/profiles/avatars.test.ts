// Avatar processing without a forge: formats are recognized by magic bytes and must decode as
// what they claim; output is always a 256×256 PNG; oversize and garbage inputs are refused.
import fc from "fast-check";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.ts";
import { MAX_AVATAR_BYTES, processAvatar, sniffImage } from "./avatars.ts";
import { identiconSvg } from "./identicon.ts";

const base = () => sharp({ create: { width: 90, height: 300, channels: 3, background: "#a33" } });

describe("avatars", () => {
  it("accepts PNG, JPEG and WebP and returns a 256×256 PNG", async () => {
    for (const input of [
      await base().png().toBuffer(),
      await base().jpeg().toBuffer(),
      await base().webp().toBuffer(),
    ]) {
      const out = await processAvatar(input);
      const meta = await sharp(out).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 256, 256]);
    }
  });

  it("refuses a GIF, SVG, text, a JPEG with a PNG signature spliced in, and too large input", async () => {
    const jpeg = await base().jpeg().toBuffer();
    const spliced = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      jpeg.subarray(8),
    ]);
    for (const bad of [
      await base().gif().toBuffer(),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from("hello"),
      spliced,
      new Uint8Array(),
    ]) {
      await expect(processAvatar(bad)).rejects.toMatchObject({ kind: "invalid" });
    }
    await expect(processAvatar(new Uint8Array(MAX_AVATAR_BYTES + 1))).rejects.toMatchObject({
      kind: "too_large",
    });
  });

  it("property: random bytes are refused with an invalid error, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const err = await processAvatar(bytes).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).kind).toBe("invalid");
      }),
      { numRuns: 200 },
    );
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe("jpeg");
  });

  it("the identicon is deterministic, case-insensitive and differs between handles", () => {
    expect(identiconSvg("Alice")).toBe(identiconSvg("alice"));
    expect(identiconSvg("alice")).not.toBe(identiconSvg("bob"));
    expect(identiconSvg("alice")).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>$/);
  });
});
