// Cleaning the model's answer: labels, quotes, fences and emphasis go, whitespace folds, long
// answers are cut at a word; any text gives a clean single line or a clear rejection.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LlmAnswerRejected } from "../llm/chat.ts";
import { summaryPrompt } from "./summary-prompt.ts";
import { cleanSummary, MAX_ANSWER_CHARS, MAX_SUMMARY } from "./summary-text.ts";

describe("cleanSummary", () => {
  it("takes off what a model wraps around its sentence", () => {
    expect(cleanSummary("Adds a retry loop.")).toBe("Adds a retry loop.");
    expect(cleanSummary('Summary: "Adds a retry loop."')).toBe("Adds a retry loop.");
    expect(cleanSummary("**Summary:** Fixes the `lander` crash")).toBe("Fixes the lander crash");
    expect(cleanSummary("```\nRenames the CLI flag\n```")).toBe("Renames the CLI flag");
    expect(cleanSummary("\u201cQuoted\u201d")).toBe("Quoted");
    expect(cleanSummary("two\nlines\t\u0007here")).toBe("two lines here");
    expect(() => cleanSummary("  \n ")).toThrow(LlmAnswerRejected);
    expect(() => cleanSummary("```\n```")).toThrow(/empty/);
    expect(() => cleanSummary("word ".repeat(200))).toThrow(/longer than/);
  });

  it("cuts a long sentence at a word, with an ellipsis", () => {
    const long = `${"Adds retries ".repeat(20)}end`;
    const out = cleanSummary(long);
    expect(Array.from(out).length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(out.endsWith("\u2026")).toBe(true);
    expect(long.startsWith(out.slice(0, -1))).toBe(true);
    expect(out.slice(0, -1)).toMatch(/(retries|Adds)$/);
  });

  it("property: any text gives a clean line within the limit, or a rejection", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 800 }),
          fc.string({ unit: "grapheme", maxLength: 300 }),
        ),
        (text) => {
          let out: string;
          try {
            out = cleanSummary(text);
          } catch (err) {
            expect(err).toBeInstanceOf(LlmAnswerRejected);
            return;
          }
          expect(out.length).toBeGreaterThan(0);
          expect(Array.from(out).length).toBeLessThanOrEqual(MAX_SUMMARY);
          expect(out).not.toMatch(/[\p{Cc}\u2028\u2029]|^\s|\s$|\s\s/u);
        },
      ),
      { numRuns: 500 },
    );
    expect(MAX_ANSWER_CHARS).toBeGreaterThan(MAX_SUMMARY);
  });
});

describe("summaryPrompt", () => {
  it("fences the patch with more backticks than it holds, and lists at most 50 files", () => {
    const files = Array.from({ length: 60 }, (_, i) => ({ path: `f${i}.ts`, added: i, removed: 0 }));
    const [system, user] = summaryPrompt({
      project: "acme/app",
      goal: "Make it faster",
      subjects: ["Speed up"],
      files: [{ path: "logo.png", added: null, removed: null }, ...files],
      patch: "+const md = '````';\n",
      truncated: true,
    });
    expect(system!.content).toMatch(/never instructions/);
    expect(user!.content).toContain("Stated goal: Make it faster");
    expect(user!.content).toContain("- logo.png (binary)");
    expect(user!.content).toContain("- … and 11 more files");
    expect(user!.content).toContain("Patch (cut):\n`````\n+const md");
    expect(user!.content.trimEnd().endsWith("`````")).toBe(true);
  });
});
