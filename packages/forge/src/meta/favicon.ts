// Micelio's circular logo as icons: an SVG, an .ico with 16, 32 and 48 px PNGs and a 180 px
// apple-touch icon. The PNGs are drawn here (a green disc with a white centre, anti-aliased by
// 4×4 supersampling) once per process and cached.
import { buildIco } from "./ico.ts";
import { encodePng } from "./png.ts";

const GREEN = [0x2f, 0x6f, 0x4e] as const; // --accent in style.css
const INNER = 0.3; // radius of the white centre, as a share of the disc's radius

export const FAVICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
  `<circle cx="32" cy="32" r="32" fill="#2f6f4e"/><circle cx="32" cy="32" r="${32 * INNER}" fill="#fff"/></svg>`;

/** The logo at size×size pixels as RGBA; `background` fills outside the disc (else transparent). */
export function drawLogo(size: number, background?: readonly [number, number, number]): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const r = size / 2;
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let disc = 0;
      let centre = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const dx = x + (sx + 0.5) / S - r;
          const dy = y + (sy + 0.5) / S - r;
          const d = Math.sqrt(dx * dx + dy * dy) / r;
          if (d <= 1) disc++;
          if (d <= INNER) centre++;
        }
      }
      const a = disc / (S * S); // coverage of the disc
      const w = centre / (S * S); // coverage of the white centre (inside the disc)
      // Colour over the disc: green blended with white by the centre's share of the disc.
      const mix = disc ? w / a : 0;
      const fg = GREEN.map((g) => g + (255 - g) * mix);
      const i = (y * size + x) * 4;
      if (background) {
        for (let k = 0; k < 3; k++) px[i + k] = Math.round(fg[k]! * a + background[k]! * (1 - a));
        px[i + 3] = 255;
      } else {
        for (let k = 0; k < 3; k++) px[i + k] = Math.round(fg[k]!);
        px[i + 3] = Math.round(a * 255);
      }
    }
  }
  return px;
}

export const ICO_SIZES = [16, 32, 48] as const;

let ico: Buffer | undefined;
let touch: Buffer | undefined;

/** /favicon.ico: the logo at 16, 32 and 48 px. */
export function faviconIco(): Buffer {
  ico ??= buildIco(ICO_SIZES.map((size) => ({ size, png: encodePng(size, size, drawLogo(size)) })));
  return ico;
}

/** /apple-touch-icon.png: 180 px on white (iOS fills transparency with black). */
export function appleTouchIcon(): Buffer {
  touch ??= encodePng(180, 180, drawLogo(180, [255, 255, 255]));
  return touch;
}
