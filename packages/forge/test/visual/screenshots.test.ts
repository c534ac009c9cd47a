// The screenshot comparison on generated images: a missing baseline fails (unless updating,
// which writes it), identical and near-identical images pass, a moved box fails with the
// actual and diff images written where the message says, a size change fails, and updating
// rewrites only a baseline that really changed.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { compareScreenshot } from "./screenshots.ts";

/** A 400×250 white image (10 pixels may differ) with a dark 20×20 box at (x, y). */
function image(x: number, y = 20, width = 400): Buffer {
  const png = new PNG({ width, height: 250 });
  for (let py = 0; py < 250; py++)
    for (let px = 0; px < width; px++) {
      const i = (py * width + px) * 4;
      const inBox = px >= x && px < x + 20 && py >= y && py < y + 20;
      png.data.set(inBox ? [30, 60, 90, 255] : [255, 255, 255, 255], i);
    }
  return PNG.sync.write(png);
}

describe("screenshot comparison", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-screens-"));
  const baselines = join(dir, "baselines");
  const results = join(dir, "results");
  const compare = (name: string, png: Buffer, updating = false) =>
    compareScreenshot(name, png, { baselines, results, updating });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("fails on a missing baseline and writes it when updating", () => {
    const message = compare("box", image(10));
    expect(message).toContain("no baseline");
    expect(message).toContain("npm run test:visual:update");
    expect(existsSync(join(results, "box.actual.png"))).toBe(true);
    expect(existsSync(join(baselines, "box.png"))).toBe(false);
    expect(compare("box", image(10), true)).toBeNull();
    expect(readFileSync(join(baselines, "box.png")).equals(image(10))).toBe(true);
  });

  it("passes on the same image and on a few changed pixels", () => {
    expect(compare("box", image(10))).toBeNull();
    const noisy = PNG.sync.read(image(10));
    noisy.data.set([200, 200, 200, 255], (5 * 400 + 5) * 4);
    expect(compare("box", PNG.sync.write(noisy))).toBeNull();
  });

  it("fails on a moved box, with the actual and diff images on disk", () => {
    const message = compare("box", image(14)) ?? "";
    expect(message).toMatch(/box: \d+ pixels differ \(at most \d+ allowed\)/);
    for (const file of ["box.actual.png", "box.diff.png"]) {
      expect(message).toContain(file);
      expect(existsSync(join(results, file))).toBe(true);
    }
    expect(compare("box", image(10, 20, 420))).toContain("size 420×250, baseline 400×250");
  });

  it("rewrites a baseline when updating only if it changed beyond the tolerance", () => {
    const path = join(baselines, "box.png");
    const before = statSync(path).mtimeMs;
    const noisy = PNG.sync.read(image(10));
    noisy.data.set([200, 200, 200, 255], 0);
    expect(compare("box", PNG.sync.write(noisy), true)).toBeNull();
    expect(statSync(path).mtimeMs).toBe(before);
    expect(readFileSync(path).equals(image(10))).toBe(true);
    expect(compare("box", image(40), true)).toBeNull();
    expect(readFileSync(path).equals(image(40))).toBe(true);
  });
});
