// The deterministic theme: every date gives a valid, readable theme, and the same one each time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contrast, contrastFailures } from "./contrast.ts";
import { fallbackTheme } from "./fallback.ts";
import { themeSchema } from "./theme-schema.ts";

const days = fc
  .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2300-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe("fallbackTheme", () => {
  it("passes the schema and the contrast check for every date", () => {
    fc.assert(
      fc.property(days, (day) => {
        const theme = fallbackTheme(day);
        expect(themeSchema.parse(theme)).toEqual(theme);
        expect(contrastFailures(theme.palette)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("is the same theme for the same date and differs between dates", () => {
    expect(fallbackTheme("2026-11-29")).toEqual(fallbackTheme("2026-11-29"));
    const names = new Set(
      ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"].map((d) => JSON.stringify(fallbackTheme(d))),
    );
    expect(names.size).toBe(4);
  });
});

describe("contrast", () => {
  it("matches known WCAG ratios", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrast("#ffffff", "#ffffff")).toBe(1);
  });

  it("is symmetric and between 1 and 21", () => {
    const hex = fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, "0")}`);
    fc.assert(
      fc.property(hex, hex, (a, b) => {
        const r = contrast(a, b);
        expect(r).toBeCloseTo(contrast(b, a), 10);
        expect(r).toBeGreaterThanOrEqual(1);
        expect(r).toBeLessThanOrEqual(21.0001);
      }),
    );
  });
});
