// Syntax highlighting: content is escaped on every path (highlighted, plain, oversized), one
// HTML string per line, grammar state carries across chunks, every emitted class has a CSS
// rule, and stripping the markup always gives back the exact source lines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  highlightCode,
  highlightFile,
  highlightStylesheet,
  loadLanguage,
  MAX_HIGHLIGHT_BYTES,
  splitLines,
} from "./highlight.ts";
import { KNOWN_LANGUAGES } from "./languages.ts";

const decodeEntities = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
/** The text a line shows: markup removed, entities decoded. Fails on any markup but our spans. */
function textOf(line: string): string {
  const stripped = line.replace(/<span class="hl-[a-z0-9 -]+">|<\/span>/g, "");
  expect(stripped).not.toMatch(/[<>"']/);
  return decodeEntities(stripped);
}

describe("highlightFile", () => {
  it("highlights TypeScript and escapes markup inside strings", async () => {
    const src = 'const s: string = "<script>alert(1)</script>";\n// a & b\n';
    const { language, lines } = await highlightFile("src/x.ts", src);
    expect(language).toBe("typescript");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('<span class="hl-c');
    expect(lines[0]).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(lines.join("\n")).not.toMatch(/<script/i);
    expect(lines.map(textOf)).toEqual(splitLines(src));
  });

  it("escapes plain-text files", async () => {
    const src = "<script>alert('x')</script>\r\n & \"quoted\"\n";
    const { language, lines } = await highlightFile("notes.txt", src);
    expect(language).toBe("text");
    expect(lines).toEqual(["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", " &amp; &quot;quoted&quot;"]);
  });

  it("splits lines like a code view counts them", () => {
    expect(splitLines("")).toEqual([]);
    expect(splitLines("a")).toEqual(["a"]);
    expect(splitLines("a\n")).toEqual(["a"]);
    expect(splitLines("a\r\nb\n\n")).toEqual(["a", "b", ""]);
    expect(splitLines("\n")).toEqual([""]);
  });

  it("detects languages from special file names", async () => {
    expect((await highlightFile("Dockerfile", "FROM node:20\nRUN echo hi\n")).language).toBe("docker");
    expect((await highlightFile("Makefile", "all:\n\techo <b>\n")).lines[1]).toContain("&lt;b&gt;");
  });

  it("keeps grammar state across chunks (a long block comment stays a comment)", async () => {
    const filler = Array.from({ length: 200 }, (_, i) => `const v${i} = "${"x".repeat(90)}";`);
    const comment = ["/*", ...Array.from({ length: 60 }, (_, i) => ` * note ${i} <b>`), " */"];
    const lines = [...filler, ...comment, "const after = 1;"];
    const out = await highlightFile("big.ts", lines.join("\n"));
    const commentClass = /class="(hl-c[0-9a-f]+)">\/\*/.exec(out.lines[200]!)?.[1];
    expect(commentClass).toBeDefined();
    for (let i = 201; i < 261; i++)
      expect(out.lines[i]).toBe(
        `<span class="${commentClass}">${lines[i]!.replace("<b>", "&lt;b&gt;")}</span>`,
      );
    expect(out.lines.at(-1)).toMatch(/^<span class="hl-c[0-9a-f]+">const<\/span>/);
    expect(out.lines.map(textOf)).toEqual(lines);
  });

  it("shows oversized files as escaped plain text", async () => {
    const src = `const a = "<i>";\n${"x".repeat(MAX_HIGHLIGHT_BYTES)}`;
    const out = await highlightFile("huge.ts", src);
    expect(out.language).toBe("text");
    expect(out.lines[0]).toBe("const a = &quot;&lt;i&gt;&quot;;");
  });

  it("leaves very long lines untokenized but escaped", async () => {
    const long = `let a = "<x>${"y".repeat(6000)}";`;
    const out = await highlightFile("min.js", `${long}\nlet b = 2;`);
    expect(textOf(out.lines[0]!)).toBe(long);
    expect(out.lines[1]).toContain("<span");
  });

  it("gives back the exact source text for arbitrary content (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme-ascii", maxLength: 200 }),
        fc.constantFrom("a.ts", "a.py", "a.html", "a.md", "a.txt"),
        async (src, path) => {
          const { lines } = await highlightFile(path, src);
          expect(lines.map(textOf)).toEqual(splitLines(src));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("grammars and stylesheet", () => {
  it("loads every known grammar and escapes in each", async () => {
    const sample = "<script>alert(1)</script> & \"x\" 'y'\n";
    for (const language of KNOWN_LANGUAGES) {
      expect(await loadLanguage(language), language).toBe(true);
      const lines = await highlightCode(sample, language);
      expect(lines.map(textOf), language).toEqual(splitLines(sample));
    }
  });

  it("refuses unknown ids and falls back to plain text", async () => {
    expect(await loadLanguage("../../../etc/passwd")).toBe(false);
    expect(await highlightCode("<b>", "no-such-language")).toEqual(["&lt;b&gt;"]);
  });

  it("has a CSS rule for every class it emits", async () => {
    const css = highlightStylesheet();
    const src = [
      "/** doc */",
      "export async function f<T>(a: T): Promise<T> {",
      `  return \`\${a}\` as T; // c`,
      "}",
    ];
    const { lines } = await highlightFile("a.ts", src.join("\n"));
    const classes = new Set(lines.join("").match(/hl-[a-z0-9]+/g));
    expect(classes.size).toBeGreaterThan(3);
    for (const cls of classes) expect(css, cls).toContain(`.${cls}{`);
    expect(css).toMatch(/^\.hl\{color:#[0-9a-f]{6};background-color:#[0-9a-f]{6}\}$/m);
  });
});
