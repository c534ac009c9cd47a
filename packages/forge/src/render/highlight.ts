// Server-side syntax highlighting for the code browser (shiki, JavaScript regex engine, no
// network, no WASM). Grammars load lazily, one per language on first use. Output is one HTML
// string per source line, tokens as <span class="hl-…"> (no inline styles, so the same
// markup is allowed inside sanitized markdown); highlightStylesheet() gives the CSS. Shiki's
// core and regex engine are imported on the first highlight, not at start (a small idle process).
import type { GrammarState, HighlighterCore, ThemedToken } from "shiki/core";
import githubLight from "shiki/themes/github-light.mjs";
import { escapeHtml } from "./escape.ts";
import { detectLanguage, KNOWN_LANGUAGES, PLAIN_TEXT } from "./languages.ts";

export interface HighlightedFile {
  /** Shiki grammar id used, or "text" when the content was only escaped. */
  language: string;
  /** One HTML string per source line (no trailing newline; a final "\n" adds no line). */
  lines: string[];
}

/** Files larger than this are shown escaped but not tokenized (keeps a page's cost bounded). */
export const MAX_HIGHLIGHT_BYTES = 1024 * 1024;
/** Lines longer than this (minified code) are left untokenized. */
const MAX_LINE_LENGTH = 5000;
/** Time budget for one file's tokenizing; lines after it are shown plain (escaped). */
export const MAX_HIGHLIGHT_MS = 4000;
/** Tokenize about this many characters between event-loop yields. */
const CHUNK_CHARS = 16 * 1024;
/** Largest code block highlighted synchronously (markdown fences). */
const MAX_SYNC_BYTES = 64 * 1024;

const THEME_NAME = "github-light";
const FONT_CLASSES: [bit: number, cls: string, css: string][] = [
  [1, "hl-i", "font-style:italic"],
  [2, "hl-b", "font-weight:bold"],
  [4, "hl-u", "text-decoration:underline"],
  [8, "hl-s", "text-decoration:line-through"],
];

/** Lowercase 6- or 8-digit hex without "#", or undefined for anything that isn't a hex color. */
function normalizeColor(color: string | undefined): string | undefined {
  const m = /^#([0-9a-f]{3,8})$/i.exec(color ?? "");
  if (!m) return undefined;
  let hex = m[1]!.toLowerCase();
  if (hex.length === 3 || hex.length === 4) hex = [...hex].map((c) => c + c).join("");
  return hex.length === 6 || hex.length === 8 ? hex : undefined;
}

const theme = githubLight as {
  colors?: Record<string, string>;
  tokenColors?: { settings?: { foreground?: string } }[];
};
const DEFAULT_FG = normalizeColor(theme.colors?.["editor.foreground"]) ?? "24292e";
const DEFAULT_BG = normalizeColor(theme.colors?.["editor.background"]) ?? "ffffff";

/** CSS for the classes highlightFile and highlighted markdown emit; wrap code in class="hl". */
export function highlightStylesheet(): string {
  const colors = new Set<string>();
  for (const entry of theme.tokenColors ?? []) {
    const c = normalizeColor(entry.settings?.foreground);
    if (c && c !== DEFAULT_FG) colors.add(c);
  }
  const rules = [`.hl{color:#${DEFAULT_FG};background-color:#${DEFAULT_BG}}`];
  for (const c of [...colors].sort()) rules.push(`.hl-c${c}{color:#${c}}`);
  for (const [, cls, css] of FONT_CLASSES) rules.push(`.${cls}{${css}}`);
  return `${rules.join("\n")}\n`;
}

let highlighter: HighlighterCore | undefined;
let highlighterPromise: Promise<HighlighterCore> | undefined;
const languageLoads = new Map<string, Promise<boolean>>();

function getHighlighter(): Promise<HighlighterCore> {
  highlighterPromise ??= (async () => {
    const [{ createHighlighterCore }, { createJavaScriptRegexEngine }] = await Promise.all([
      import("shiki/core"),
      import("shiki/engine/javascript"),
    ]);
    highlighter = await createHighlighterCore({
      themes: [githubLight],
      langs: [],
      engine: createJavaScriptRegexEngine({ forgiving: true }),
    });
    return highlighter;
  })();
  highlighterPromise.catch(() => {
    highlighterPromise = undefined; // a failed load is tried again on the next highlight
  });
  return highlighterPromise;
}

/**
 * Loads the grammar for a language id (from detectLanguage/fenceLanguage) once; resolves
 * false for plain text, unknown ids or a grammar that fails to load.
 */
export function loadLanguage(language: string): Promise<boolean> {
  if (language === PLAIN_TEXT || !KNOWN_LANGUAGES.has(language)) return Promise.resolve(false);
  let load = languageLoads.get(language);
  if (!load) {
    load = (async () => {
      const h = await getHighlighter();
      // The id comes only from KNOWN_LANGUAGES, so this never names an arbitrary module.
      const mod = (await import(`shiki/langs/${language}.mjs`)) as { default: unknown };
      await h.loadLanguage(mod.default as Parameters<HighlighterCore["loadLanguage"]>[0]);
      return true;
    })().catch(() => false);
    languageLoads.set(language, load);
  }
  return load;
}

/** Splits file content into display lines: \n or \r\n ends a line; a final newline adds none. */
export function splitLines(content: string): string[] {
  if (content === "") return [];
  const lines = content.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function tokenLineToHtml(tokens: ThemedToken[]): string {
  let html = "";
  let openClass = "";
  let text = "";
  const flush = () => {
    if (!text) return;
    html += openClass ? `<span class="${openClass}">${escapeHtml(text)}</span>` : escapeHtml(text);
    text = "";
  };
  for (const token of tokens) {
    const classes: string[] = [];
    const color = normalizeColor(token.color);
    if (color && color !== DEFAULT_FG) classes.push(`hl-c${color}`);
    const style = token.fontStyle ?? 0;
    if (style > 0) for (const [bit, cls] of FONT_CLASSES) if (style & bit) classes.push(cls);
    const cls = classes.join(" ");
    if (cls !== openClass) {
      flush();
      openClass = cls;
    }
    text += token.content;
  }
  flush();
  return html;
}

function isLoaded(language: string): boolean {
  return highlighter?.getLoadedLanguages().includes(language) ?? false;
}

/** Tokenizes one run of lines, continuing from a grammar state; undefined on failure. */
function tokenizeChunk(lines: string[], language: string, state: GrammarState | undefined) {
  try {
    const tokens = highlighter!.codeToTokensBase(lines.join("\n"), {
      lang: language,
      theme: THEME_NAME,
      grammarState: state,
      tokenizeMaxLineLength: MAX_LINE_LENGTH,
      tokenizeTimeLimit: 0, // see MAX_HIGHLIGHT_MS: a per-line limit misfires while grammars compile
    });
    if (tokens.length !== lines.length) return undefined;
    return { html: tokens.map(tokenLineToHtml), state: highlighter!.getLastGrammarState(tokens) };
  } catch {
    return undefined;
  }
}

/** Highlights lines with a loaded grammar, synchronously, in one go; undefined when it can't. */
function tokenizeSync(lines: string[], language: string): string[] | undefined {
  return isLoaded(language) ? tokenizeChunk(lines, language, undefined)?.html : undefined;
}

/**
 * Highlights lines in chunks of about CHUNK_CHARS, yielding to the event loop between chunks
 * so one large file doesn't stall other requests; after MAX_HIGHLIGHT_MS the rest stays plain.
 */
async function tokenizeChunked(lines: string[], language: string): Promise<string[] | undefined> {
  if (!isLoaded(language)) return undefined;
  const started = performance.now();
  const out: string[] = [];
  let state: GrammarState | undefined;
  let i = 0;
  while (i < lines.length) {
    if (i > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (performance.now() - started > MAX_HIGHLIGHT_MS) break;
    }
    let end = i;
    for (let chars = 0; end < lines.length && chars < CHUNK_CHARS; end++) chars += lines[end]!.length + 1;
    const chunk = tokenizeChunk(lines.slice(i, end), language, state);
    if (!chunk) return i === 0 ? undefined : [...out, ...plainLines(lines.slice(i))];
    out.push(...chunk.html);
    state = chunk.state;
    i = end;
  }
  return i < lines.length ? [...out, ...plainLines(lines.slice(i))] : out;
}

const plainLines = (lines: string[]) => lines.map(escapeHtml);

/**
 * Highlights code whose grammar is already loaded (see loadLanguage), synchronously; escaped
 * plain lines otherwise. Used by the markdown renderer for fenced code blocks.
 */
export function highlightLoaded(code: string, language: string): string[] {
  const lines = splitLines(code);
  if (code.length > MAX_SYNC_BYTES) return plainLines(lines);
  return tokenizeSync(lines, language) ?? plainLines(lines);
}

/** Highlights code in a given language id (loading its grammar first); one HTML string per line. */
export async function highlightCode(code: string, language: string): Promise<string[]> {
  const lines = splitLines(code);
  if (code.length > MAX_HIGHLIGHT_BYTES || !(await loadLanguage(language))) return plainLines(lines);
  return (await tokenizeChunked(lines, language)) ?? plainLines(lines);
}

/**
 * Highlights a repository file for the code view: language from the file name, one HTML
 * string per line (so the page can number lines and anchor #L10). Content is always escaped;
 * unknown languages, oversized files and tokenizer failures fall back to plain text.
 */
export async function highlightFile(path: string, content: string): Promise<HighlightedFile> {
  const language = detectLanguage(path);
  const lines = splitLines(content);
  if (content.length > MAX_HIGHLIGHT_BYTES || !(await loadLanguage(language))) {
    return { language: PLAIN_TEXT, lines: plainLines(lines) };
  }
  const html = await tokenizeChunked(lines, language);
  return html ? { language, lines: html } : { language: PLAIN_TEXT, lines: plainLines(lines) };
}
