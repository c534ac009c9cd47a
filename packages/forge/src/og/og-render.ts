// Draws an Open Graph card to a 1200×630 PNG: satori lays the element tree out as SVG with
// the Inter font, resvg rasterizes it. OG_RENDER_VERSION is part of every picture's hash:
// bump it when the layout changes so pictures are drawn anew. The render count lets tests
// see whether a request drew a picture or served a stored one.
import type satoriType from "satori";
import { cardTree, clipCard, OG_HEIGHT, OG_WIDTH, type OgCard } from "./og-card.ts";
import { ogFonts } from "./og-fonts.ts";

export const OG_RENDER_VERSION = 2;

let renders = 0;

/** satori and resvg load on the first drawing: most processes never draw one. */
let engines: Promise<[typeof import("satori"), typeof import("@resvg/resvg-js")]> | undefined;
const loadEngines = () => {
  engines ??= Promise.all([import("satori"), import("@resvg/resvg-js")]);
  return engines;
};

/** How many pictures this process has drawn. */
export const ogRenderCount = () => renders;

/** The card as PNG bytes; `avatar` is a PNG, or an SVG (the identicon) given as text. */
export async function renderOgPng(card: OgCard, avatar: { png: Buffer } | { svg: string }): Promise<Buffer> {
  renders++;
  const [{ default: satori }, { Resvg }] = await loadEngines();
  const src =
    "png" in avatar
      ? `data:image/png;base64,${avatar.png.toString("base64")}`
      : `data:image/svg+xml;base64,${Buffer.from(avatar.svg).toString("base64")}`;
  // satori's types want a React element; the tree has its shape.
  const tree = cardTree(clipCard(card), src) as unknown as Parameters<typeof satoriType>[0];
  const svg = await satori(tree, { width: OG_WIDTH, height: OG_HEIGHT, fonts: await ogFonts() });
  const png = new Resvg(svg, { fitTo: { mode: "original" }, font: { loadSystemFonts: false } })
    .render()
    .asPng();
  return Buffer.from(png);
}
