// The deterministic theme of a day, used when no LLM is configured or its answer was rejected
// or never came: a PRNG seeded by the date picks hues, a font and a type scale; each text
// colour is then darkened until it reaches the contrast it needs on every background and on
// style.css's fixed light surfaces (all near-white, so darkening always gets there).
import { contrast, MIN_CONTRAST, readableOnSurfaces, TEXT_PAIRS } from "./contrast.ts";
import { FONT_NAMES, type Palette, type PaletteKey, type Theme } from "./theme-schema.ts";

function seedOf(day: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < day.length; i++) h = Math.imul(h ^ day.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hslToHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const lig = l / 100;
  const k = (n: number) => (n + h / 30) % 12;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number) => lig - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const byte = (x: number) =>
    Math.round(Math.max(0, Math.min(1, x)) * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${byte(f(0))}${byte(f(8))}${byte(f(4))}`;
}

const HUE_NAMES: Array<[number, string]> = [
  [15, "red"],
  [45, "amber"],
  [70, "ochre"],
  [160, "green"],
  [200, "teal"],
  [255, "blue"],
  [290, "indigo"],
  [330, "violet"],
  [361, "rose"],
];
const MOODS = ["Quiet", "Bright", "Steady", "Curious", "Warm", "Crisp", "Gentle", "Bold", "Calm", "Lively"];
const NOUNS = ["Moss", "Harbor", "Lantern", "Meadow", "Ember", "Tide", "Orchard", "Slate", "Fern", "Dune"];
const FONT_WORDS: Record<string, string> = {
  system: "plain system",
  humanist: "humanist",
  geometric: "geometric",
  serif: "bookish serif",
  rounded: "rounded",
  mono: "typewriter-like monospace",
};

const hueName = (h: number) => HUE_NAMES.find(([max]) => h < max)![1];

/** The theme for a day (YYYY-MM-DD); the same day always gives the same theme. */
export function fallbackTheme(day: string): Theme {
  const rand = mulberry32(seedOf(day));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const hue = Math.floor(rand() * 360);
  const accentHue = (hue + 150 + Math.floor(rand() * 60)) % 360;
  const tint = 10 + rand() * 25;
  const light: Record<PaletteKey, [number, number, number]> = {
    bg: [hue, tint, 96 + rand() * 3],
    card: [hue, tint, 99 + rand()],
    border: [hue, tint / 2 + 5, 80 + rand() * 6],
    fg: [hue, 15 + rand() * 15, 10 + rand() * 6],
    muted: [hue, 8 + rand() * 10, 36 + rand() * 6],
    accent: [accentHue, 45 + rand() * 30, 28 + rand() * 8],
    accentFg: [accentHue, 20, 100],
    danger: [350 + rand() * 15, 60 + rand() * 15, 36 + rand() * 4],
  };
  const palette = Object.fromEntries(
    Object.entries(light).map(([k, [h, s, l]]) => [k, hslToHex(h, s, l)]),
  ) as Palette;
  // Darken each text colour (in the order of TEXT_PAIRS) until every pair it is in passes.
  for (const key of ["fg", "muted", "accent", "danger"] as const) {
    const [h, s] = light[key];
    let l = light[key][2];
    const ok = () =>
      readableOnSurfaces(palette[key]) &&
      TEXT_PAIRS.every(
        ([a, b]) => (a !== key && b !== key) || contrast(palette[a], palette[b]) >= MIN_CONTRAST,
      );
    while (!ok() && l > 0) {
      l = Math.max(0, l - 1);
      palette[key] = hslToHex(h, s, l);
    }
  }
  const font = pick(FONT_NAMES);
  const base = pick([15, 16, 16, 17]);
  const ratio = Math.round((1.15 + rand() * 0.13) * 100) / 100;
  const mood = pick(MOODS);
  const name = `${mood} ${pick(NOUNS)}`;
  return {
    name,
    description:
      `${mood.toLowerCase()} ${hueName(hue)} tones with ${hueName(accentHue)} links and ${FONT_WORDS[font]} type.`.replace(
        /^./,
        (c) => c.toUpperCase(),
      ),
    palette,
    typeScale: { base, ratio },
    font,
  };
}
