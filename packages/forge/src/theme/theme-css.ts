// Turns a theme into the CSS that overrides style.css's custom properties (--bg, --fg, --muted,
// --accent, --accent-fg, --border, --card, --danger, --font) and its type scale. Every value
// was validated (hex colours, bounded numbers, a font stack from FONTS), so the text is safe
// to put in a <style> element as is.
import { FONTS, type Theme } from "./theme-schema.ts";

const round = (n: number) => Math.round(n * 1000) / 1000;

export function themeCss(t: Theme): string {
  const p = t.palette;
  const { base, ratio } = t.typeScale;
  return [
    `:root{--bg:${p.bg};--fg:${p.fg};--muted:${p.muted};--accent:${p.accent};--accent-fg:${p.accentFg};`,
    `--border:${p.border};--card:${p.card};--danger:${p.danger};--font:${FONTS[t.font]};`,
    `--type-base:${base}px;--type-ratio:${ratio}}`,
    `html{font-size:${base}px}body{font-size:${base}px}`,
    `h1{font-size:${round(ratio ** 3)}rem}h2{font-size:${round(ratio ** 1.5)}rem}`,
  ].join("");
}
