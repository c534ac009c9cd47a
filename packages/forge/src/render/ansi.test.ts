// Terminal output rendering: colours kept as segments, every other sequence gone, and as
// properties: no control character but newline and tab survives, plain text passes through
// unchanged, and colour codes never change the text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ansiSegments, stripAnsi } from "./ansi.ts";

const ESC = "\u001b";

describe("ansi", () => {
  it("turns SGR codes into coloured, bold segments", () => {
    expect(ansiSegments(`ok ${ESC}[32mpassed${ESC}[0m ${ESC}[1;91mFAILED${ESC}[m end`)).toEqual([
      { text: "ok ", fg: null, bold: false },
      { text: "passed", fg: 2, bold: false },
      { text: " ", fg: null, bold: false },
      { text: "FAILED", fg: 9, bold: true },
      { text: " end", fg: null, bold: false },
    ]);
  });

  it("removes cursor moves, titles, hyperlinks, bells and other controls", () => {
    const hostile = `a${ESC}[2J${ESC}[H${ESC}]0;title\u0007b${ESC}]8;;http://x${ESC}\\link${ESC}]8;;${ESC}\\\u0008\u0007c${ESC}P+q${ESC}\\d\u009be`;
    expect(stripAnsi(hostile)).toBe("ablinkcde");
    expect(stripAnsi("tabs\tand\nnewlines\r\n")).toBe("tabs\tand\nnewlines\n");
  });

  it("leaves no control character but newline and tab, whatever the input", () => {
    const chunk = fc.oneof(
      fc.string(),
      fc.constantFrom(
        `${ESC}[31m`,
        `${ESC}[0m`,
        `${ESC}]0;t\u0007`,
        `${ESC}[`,
        ESC,
        "\u009b",
        `${ESC}[38;5;200m`,
      ),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 20 }), (parts) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about them
        expect(stripAnsi(parts.join(""))).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      }),
    );
  });

  it("passes plain text through and never changes text for colour codes", () => {
    const plain = fc.stringMatching(/^[a-zA-Z0-9 .,:;!?<>&"'\n\t-]*$/);
    fc.assert(fc.property(plain, (t) => stripAnsi(t) === t));
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, fc.integer({ min: 0, max: 97 })), { maxLength: 10 }), (parts) => {
        const coloured = parts.map(([t, c]) => `${ESC}[${c}m${t}`).join("");
        expect(stripAnsi(coloured)).toBe(parts.map(([t]) => t).join(""));
      }),
    );
  });
});
