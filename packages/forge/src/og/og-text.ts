// Text for Open Graph cards, made safe and small before it reaches the renderer: control
// characters, lone surrogates and bidirectional overrides become spaces, graphemes the font
// cannot draw (emoji, scripts beyond Latin, Cyrillic, Greek and Vietnamese) are left out
// rather than drawn as empty boxes, runs of whitespace collapse, and the text is cut to a
// number of graphemes (never splitting one), ending then in an ellipsis.
import { drawable } from "./og-fonts.ts";

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
const UNSAFE = /[\p{Cc}\p{Cs}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const MAX_INPUT = 20_000;

/** Cleaned `text`, at most `max` graphemes long (ending in "…" when it was cut). */
export function clip(text: string, max: number): string {
  const out: string[] = [];
  let space = true; // collapse whitespace, and drop it at the start
  for (const { segment } of segmenter.segment(text.slice(0, MAX_INPUT).replace(UNSAFE, " "))) {
    if (/^\s+$/u.test(segment)) {
      if (!space) out.push(" ");
      space = true;
      continue;
    }
    if (![...segment].every((ch) => drawable(ch.codePointAt(0)!))) continue;
    if (out.length >= max) {
      while (out.length >= max || out[out.length - 1] === " ") out.pop();
      out.push("…");
      return out.join("");
    }
    out.push(segment);
    space = false;
  }
  if (out[out.length - 1] === " ") out.pop();
  return out.join("");
}

/** A cleaned path cut from the left ("…/src/app.ts") when longer than `max` graphemes. */
export function clipPath(path: string, max: number): string {
  const parts = [...segmenter.segment(clip(path, MAX_INPUT))].map((g) => g.segment);
  return parts.length <= max ? parts.join("") : `…${parts.slice(parts.length - (max - 1)).join("")}`;
}
