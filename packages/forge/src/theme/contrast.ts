// WCAG 2 contrast: relative luminance of sRGB colours and the ratio between two. A theme is
// readable when every text colour reaches 4.5:1 against each background it is drawn on
// (style.css has no dark mode, so only this one palette is checked), including the few light
// surfaces style.css paints with fixed colours.
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

/**
 * Light surfaces style.css paints with fixed colours (alerts, notices, conflict cards, session
 * decisions, highlighted lines) under themed text; every text colour must be readable on them.
 */
export const FIXED_SURFACES = ["#fff5f4", "#f0f7f3", "#fff8f7", "#fffbea", "#fff8c5"] as const;
export const TEXT_KEYS = ["fg", "muted", "accent", "danger"] as const satisfies readonly PaletteKey[];
/** style.css is a light design (fixed light surfaces, dark badges): backgrounds must be light. */
export const MIN_BACKGROUND_LUMINANCE = 0.6;

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

/** Whether one text colour reaches MIN_CONTRAST on every fixed surface. */
export const readableOnSurfaces = (color: string) =>
  FIXED_SURFACES.every((s) => contrast(color, s) >= MIN_CONTRAST);

/** What makes a palette unreadable, e.g. ["muted on card 3.10:1"]; empty when readable. */
export function contrastFailures(p: Palette): string[] {
  const out = TEXT_PAIRS.filter(([fg, bg]) => contrast(p[fg], p[bg]) < MIN_CONTRAST).map(
    ([fg, bg]) => `${fg} on ${bg} ${contrast(p[fg], p[bg]).toFixed(2)}:1`,
  );
  for (const key of TEXT_KEYS) {
    for (const surface of FIXED_SURFACES) {
      if (contrast(p[key], surface) < MIN_CONTRAST)
        out.push(`${key} on ${surface} ${contrast(p[key], surface).toFixed(2)}:1`);
    }
  }
  for (const key of ["bg", "card"] as const) {
    if (luminance(p[key]) < MIN_BACKGROUND_LUMINANCE)
      out.push(`${key} is too dark for style.css's light design`);
  }
  return out;
}
