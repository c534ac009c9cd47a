// Screenshot comparison for the visual suite: a PNG against its committed baseline in
// baselines/, with pixelmatch (anti-aliased pixels ignored, a small share of differing
// pixels tolerated). On a mismatch the actual and diff images go to test-results/visual/
// (git-ignored) and their paths are in the message. UPDATE_SCREENSHOTS=1
// (`npm run test:visual:update`) writes baselines instead — only those that are missing or
// differ beyond the tolerance, so regenerating leaves unchanged images untouched. A missing
// baseline fails unless updating.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

export const BASELINES = fileURLToPath(new URL("./baselines/", import.meta.url));
export const RESULTS = fileURLToPath(new URL("../../../../test-results/visual/", import.meta.url));
export const UPDATING = process.env.UPDATE_SCREENSHOTS === "1";

/** Per-pixel colour distance pixelmatch tolerates (0..1). */
const PIXEL_THRESHOLD = 0.1;
/** Share of pixels that may differ (33 at 390×844, 102 at 1280×800): noise, not a hidden button. */
export const MAX_DIFF_RATIO = 0.0001;

const show = (path: string) => relative(process.cwd(), path) || path;

interface Diff {
  pixels: number;
  image?: PNG;
  reason?: string;
}

function diff(expected: PNG, actual: PNG): Diff {
  if (expected.width !== actual.width || expected.height !== actual.height)
    return {
      pixels: Number.POSITIVE_INFINITY,
      reason: `size ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height}`,
    };
  const image = new PNG({ width: actual.width, height: actual.height });
  const pixels = pixelmatch(expected.data, actual.data, image.data, actual.width, actual.height, {
    threshold: PIXEL_THRESHOLD,
    includeAA: false,
  });
  return { pixels, image };
}

/**
 * Compares `png` with baselines/<name>.png. Returns null when it matches (or was written
 * while updating), else a message naming the baseline, the actual and the diff images.
 */
export function compareScreenshot(
  name: string,
  png: Buffer,
  { baselines = BASELINES, results = RESULTS, updating = UPDATING } = {},
): string | null {
  const baseline = join(baselines, `${name}.png`);
  const actual = PNG.sync.read(png);
  const limit = Math.floor(actual.width * actual.height * MAX_DIFF_RATIO);
  const result = existsSync(baseline) ? diff(PNG.sync.read(readFileSync(baseline)), actual) : null;
  const matches = result !== null && result.pixels <= limit;
  if (updating) {
    if (!matches) {
      mkdirSync(baselines, { recursive: true });
      writeFileSync(baseline, png);
    }
    return null;
  }
  mkdirSync(results, { recursive: true });
  const actualPath = join(results, `${name}.actual.png`);
  if (result === null) {
    writeFileSync(actualPath, png);
    return (
      `${name}: no baseline ${show(baseline)} (actual: ${show(actualPath)}). ` +
      "Missing baselines fail; create them with `npm run test:visual:update` and commit them."
    );
  }
  if (matches) return null;
  writeFileSync(actualPath, png);
  let where = `actual: ${show(actualPath)}`;
  if (result.image) {
    const diffPath = join(results, `${name}.diff.png`);
    writeFileSync(diffPath, PNG.sync.write(result.image));
    where += `, diff: ${show(diffPath)}`;
  }
  const what = result.reason ?? `${result.pixels} pixels differ (at most ${limit} allowed)`;
  return (
    `${name}: ${what} against ${show(baseline)} (${where}). ` +
    "If the change is intended, run `npm run test:visual:update` and commit the new baselines."
  );
}
