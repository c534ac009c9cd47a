// WCAG 2 contrast: relative luminance of sRGB colours and the ratio between two. A theme is
// readable when every text colour reaches 4.5:1 against each background it is drawn on
// (style.css has no dark mode, so only this one palette is checked).
import type { Palette, PaletteKey } from "./theme-schema.ts";

export const MIN_CONTRAST = 4.5;

/** Text colour -> the backgrounds it appears on in style.css. */
export const TEXT_PAIRS: ReadonlyArray<readonly [PaletteKey, PaletteKey]> = [
  ["fg", "bg"],
  ["fg", "card"],
  ["muted", "bg"],
  ["muted", "card"],
  ["accent", "bg"], // links
  ["accent", "card"], // links in cards, secondary buttons
  ["accentFg", "accent"], // primary buttons
  ["danger", "bg"],
  ["danger", "card"],
];

export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const channel = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The pairs below MIN_CONTRAST, e.g. ["muted on card 3.10:1"]; empty when readable. */
export function contrastFailures(p: Palette): string[] {
  return TEXT_PAIRS.filter(([fg, bg]) => contrast(p[fg], p[bg]) < MIN_CONTRAST).map(
    ([fg, bg]) => `${fg} on ${bg} ${contrast(p[fg], p[bg]).toFixed(2)}:1`,
  );
}
