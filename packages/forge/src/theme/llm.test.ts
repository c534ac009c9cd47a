// Reading a model's answer: the JSON object is found inside prose or code fences, validated by
// the schema and the contrast check; the endpoint URL accepts a base or the full path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fallbackTheme } from "./fallback.ts";
import { completionsUrl, extractJson, ThemeRejected, validateTheme } from "./llm.ts";

const prose = fc.string({ maxLength: 40 }).map((s) => s.replace(/[{}]/g, ""));
const day = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe("reading the model's answer", () => {
  it("property: a theme wrapped in any prose or fences is found and validates", () => {
    fc.assert(
      fc.property(prose, prose, day, fc.boolean(), (before, after, d, fenced) => {
        const theme = fallbackTheme(d);
        const json = JSON.stringify(theme);
        const text = `${before}${fenced ? `\`\`\`json\n${json}\n\`\`\`` : json}${after}`;
        expect(validateTheme(extractJson(text))).toEqual(theme);
      }),
    );
  });

  it("rejects answers without JSON, with bad fields, or with low contrast", () => {
    expect(() => extractJson("no object here")).toThrow(ThemeRejected);
    expect(() => extractJson("{not json}")).toThrow(ThemeRejected);
    const good = fallbackTheme("2026-11-29");
    expect(() => validateTheme({ ...good, font: "Comic Sans" })).toThrow(/schema: font/);
    expect(() => validateTheme({ ...good, description: "two\nlines" })).toThrow(/schema: description/);
    expect(() => validateTheme({ ...good, palette: { ...good.palette, accent: "red" } })).toThrow(/schema/);
    expect(() => validateTheme({ ...good, palette: { ...good.palette, muted: good.palette.bg } })).toThrow(
      /unreadable \(WCAG AA needs 4.5:1\): muted on bg/,
    );
    const dark = { ...good.palette, bg: "#101010", card: "#181818", fg: "#f0f0f0" };
    expect(() => validateTheme({ ...good, palette: dark })).toThrow(/bg is too dark/);
    // Readable on bg and card but not on the fixed light tint of notices.
    const pale = { ...good.palette, bg: "#ffffff", card: "#ffffff", accent: "#41805a" };
    expect(() => validateTheme({ ...good, palette: pale })).toThrow(/accent on #f0f7f3/);
  });

  it("builds the chat-completions URL from a base or takes it as given", () => {
    expect(completionsUrl("https://llm.example/v1")).toBe("https://llm.example/v1/chat/completions");
    expect(completionsUrl("https://llm.example/v1/")).toBe("https://llm.example/v1/chat/completions");
    expect(completionsUrl("http://127.0.0.1:8080/v1/chat/completions")).toBe(
      "http://127.0.0.1:8080/v1/chat/completions",
    );
  });
});
