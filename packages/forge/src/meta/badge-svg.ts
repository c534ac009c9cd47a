// Renders a shields.io-style "flat" badge: a grey label on the left, a coloured value on the
// right, both sized from the Verdana 11 px width table and XML-escaped.
import { textWidth } from "./text-width.ts";

export const COLORS = {
  green: "#4c1",
  yellowgreen: "#a4a61d",
  yellow: "#dfb317",
  orange: "#fe7d37",
  blue: "#007ec6",
  grey: "#9f9f9f",
  label: "#555",
} as const;

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for XML content and attributes: line breaks and tabs become spaces, characters XML 1.0 forbids are dropped. */
export function escapeXml(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x09 || cp === 0x0a || cp === 0x0d)
      out += " "; // badges are one line
    else if (cp >= 0x20 && cp !== 0xfffe && cp !== 0xffff) out += XML_ESCAPES[ch] ?? ch;
  }
  return out;
}

const PADDING = 5;

export interface BadgeInput {
  label: string;
  value: string;
  color: string;
}

/** The SVG document of a badge. Widths are rounded to whole pixels like shields.io does. */
export function renderBadge({ label, value, color }: BadgeInput): string {
  const labelText = Math.ceil(textWidth(label));
  const valueText = Math.ceil(textWidth(value));
  const lw = labelText + 2 * PADDING;
  const vw = valueText + 2 * PADDING;
  const w = lw + vw;
  const l = escapeXml(label);
  const v = escapeXml(value);
  const fill = /^#[0-9a-f]{3,8}$/i.test(color) ? color : COLORS.grey;
  // Text is drawn at 10× and scaled down, as shields.io does, for sub-pixel placement.
  const text = (x: number, width: number, t: string) =>
    `<text aria-hidden="true" x="${x * 10}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${width * 10}">${t}</text>` +
    `<text x="${x * 10}" y="140" transform="scale(.1)" fill="#fff" textLength="${width * 10}">${t}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${v}">` +
    `<title>${l}: ${v}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="${COLORS.label}"/><rect x="${lw}" width="${vw}" height="20" fill="${fill}"/><rect width="${w}" height="20" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">` +
    text(lw / 2, labelText, l) +
    text(lw + vw / 2, valueText, v) +
    `</g></svg>`
  );
}
