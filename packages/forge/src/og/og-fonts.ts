// The font of Open Graph cards: Inter from the @fontsource/inter npm package, as WOFF files
// (satori reads TTF, OTF and WOFF, not WOFF2), regular and bold, in its Latin, Cyrillic,
// Greek and Vietnamese subsets. Each subset is its own family, listed in order, so satori
// falls back from one to the next; `drawable` tells which code points some subset covers
// (from the package's unicode.json), so text can drop what would come out as empty boxes.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface OgFont {
  name: string;
  data: Buffer;
  weight: 400 | 700;
  style: "normal";
}

const SUBSETS = ["latin", "latin-ext", "cyrillic", "cyrillic-ext", "greek", "greek-ext", "vietnamese"];
const WEIGHTS = [400, 700] as const;

const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(require.resolve("@fontsource/inter/package.json"));

/** The CSS font-family list naming every subset, in fallback order. */
export const OG_FONT_FAMILY = SUBSETS.map((s) => `Inter ${s}`).join(", ");

const RANGES: [number, number][] = (() => {
  const table = require(join(PACKAGE_DIR, "unicode.json")) as Record<string, string>;
  const out: [number, number][] = [];
  for (const subset of SUBSETS)
    for (const part of (table[subset] ?? "").split(",")) {
      const m = /^U\+([0-9A-F]+)(?:-([0-9A-F]+))?$/i.exec(part.trim());
      if (m) out.push([Number.parseInt(m[1]!, 16), Number.parseInt(m[2] ?? m[1]!, 16)]);
    }
  return out;
})();

/** Whether a subset of the font has a glyph for the code point. */
export function drawable(cp: number): boolean {
  return RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
}

let loading: Promise<OgFont[]> | undefined;

export function ogFonts(): Promise<OgFont[]> {
  loading ??= Promise.all(
    SUBSETS.flatMap((subset) =>
      WEIGHTS.map(async (weight) => ({
        name: `Inter ${subset}`,
        data: await readFile(join(PACKAGE_DIR, "files", `inter-${subset}-${weight}-normal.woff`)),
        weight,
        style: "normal" as const,
      })),
    ),
  );
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
