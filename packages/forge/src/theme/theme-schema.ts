// A day's theme "personality": a name, a one-line description, a palette for the custom
// properties style.css uses, a type scale and a font stack chosen from a fixed list (system
// fonts only; nothing is downloaded). The schema is what an LLM's answer must match; the
// contrast check (contrast.ts) decides whether it is readable.
import { z } from "zod";

const hex = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, "must be a #rrggbb colour")
  .transform((s) => s.toLowerCase());
const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\n\r<>{}]*$/, "must be one line of plain text");

export const FONTS = {
  system: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  humanist: 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", sans-serif',
  geometric: 'Avenir, Montserrat, Corbel, "URW Gothic", "DejaVu Sans", sans-serif',
  serif: 'Charter, "Bitstream Charter", "Sitka Text", Cambria, "DejaVu Serif", serif',
  rounded: 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Calibri, sans-serif',
  mono: 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace',
} as const;
export type FontName = keyof typeof FONTS;
export const FONT_NAMES = Object.keys(FONTS) as FontName[];

export const PALETTE_KEYS = ["bg", "fg", "muted", "accent", "accentFg", "border", "card", "danger"] as const;
export type PaletteKey = (typeof PALETTE_KEYS)[number];

export const themeSchema = z.object({
  name: oneLine(40),
  description: oneLine(160),
  palette: z.object(Object.fromEntries(PALETTE_KEYS.map((k) => [k, hex])) as Record<PaletteKey, typeof hex>),
  typeScale: z.object({
    base: z.coerce.number().min(14).max(18),
    ratio: z.coerce.number().min(1.1).max(1.3),
  }),
  font: z.enum(FONT_NAMES as [FontName, ...FontName[]]),
});

export type Theme = z.output<typeof themeSchema>;
export type Palette = Theme["palette"];
