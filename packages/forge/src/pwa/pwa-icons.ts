// The installable app's icons, drawn from the circular logo (meta/favicon.ts) once per process:
// 192 and 512 px on transparency ("any"), and a 512 px maskable one whose disc sits inside
// the 80 % safe zone on the page colour, so launchers may crop it to any shape.
import { drawLogo } from "../meta/favicon.ts";
import { encodePng } from "../meta/png.ts";

export const ICON_FILES = {
  "icon-192.png": { size: 192, maskable: false },
  "icon-512.png": { size: 512, maskable: false },
  "icon-maskable-512.png": { size: 512, maskable: true },
} as const;
export type IconFile = keyof typeof ICON_FILES;

const PAGE = [0xfb, 0xfa, 0xf7] as const; // --bg in style.css
const SAFE_ZONE = 0.8;

export const isIconFile = (name: string): name is IconFile => Object.hasOwn(ICON_FILES, name);

/** The logo's disc at `SAFE_ZONE` of a size×size square filled with the page colour. */
function drawMaskable(size: number): Uint8Array {
  const inner = Math.round(size * SAFE_ZONE);
  const logo = drawLogo(inner, PAGE);
  const px = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) px.set([...PAGE, 255], i * 4);
  const off = Math.floor((size - inner) / 2);
  for (let y = 0; y < inner; y++) {
    px.set(logo.subarray(y * inner * 4, (y + 1) * inner * 4), ((y + off) * size + off) * 4);
  }
  return px;
}

const drawn = new Map<IconFile, Buffer>();

/** The icon's PNG bytes. */
export function iconPng(name: IconFile): Buffer {
  let png = drawn.get(name);
  if (!png) {
    const { size, maskable } = ICON_FILES[name];
    png = encodePng(size, size, maskable ? drawMaskable(size) : drawLogo(size));
    drawn.set(name, png);
  }
  return png;
}
