// Markdown rendering for READMEs and .md files in the code browser: markdown-it (tables,
// strikethrough, autolinks, fenced code, raw HTML allowed) followed by the sanitizer, which
// also resolves relative links/images inside the repository. Headings get GitHub-style id
// slugs. renderMarkdown is synchronous with plain fenced code; renderMarkdownHighlighted
// loads the fences' grammars first and highlights them (same sanitizer, same guarantees).
// markdown-it is loaded on the first render (synchronously, with require), not at start.
import { createRequire } from "node:module";
import type { default as MarkdownItClass, StateCore, Token } from "markdown-it";
import { escapeHtml } from "./escape.ts";
import { highlightLoaded, loadLanguage } from "./highlight.ts";
import { fenceLanguage, PLAIN_TEXT } from "./languages.ts";
import type { LinkContext } from "./links.ts";
import { sanitizeRendered } from "./sanitize.ts";

export type MarkdownOptions = LinkContext;

/** Larger sources are shown as escaped preformatted text rather than parsed. */
export const MAX_MARKDOWN_BYTES = 2 * 1024 * 1024;

interface RenderEnv {
  highlight?: boolean;
}

/** GitHub's heading slug: lowercase, punctuation dropped, spaces to "-", repeats get -1, -2 … */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

function headingIds(state: StateCore): void {
  const seen = new Map<string, number>();
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.type !== "heading_open") continue;
    const inline = tokens[i + 1];
    const text = (inline?.children ?? [])
      .filter((t) => t.type === "text" || t.type === "code_inline" || t.type === "text_special")
      .map((t) => t.content)
      .join("");
    const base = slugify(text);
    if (!base) continue;
    let slug = base;
    while (seen.has(slug)) {
      const n = seen.get(base)! + 1;
      seen.set(base, n);
      slug = `${base}-${n}`;
    }
    seen.set(slug, 0);
    tokens[i]!.attrSet("id", slug);
  }
}

/** Table alignment as the align attribute: style attributes never reach the page. */
function tableAlign(state: StateCore): void {
  for (const token of state.tokens) {
    if (token.type !== "th_open" && token.type !== "td_open") continue;
    const align = /^text-align:(left|right|center)$/.exec(token.attrGet("style") ?? "")?.[1];
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== "style");
    if (align) token.attrSet("align", align);
  }
}

function renderFence(tokens: Token[], idx: number, env: RenderEnv): string {
  const token = tokens[idx]!;
  const word = token.info.trim().split(/\s+/)[0] ?? "";
  const cls = /^[\w+#.-]{1,40}$/.test(word) ? ` class="language-${escapeHtml(word)}"` : "";
  const language = fenceLanguage(word);
  if (env.highlight && language !== PLAIN_TEXT) {
    const lines = highlightLoaded(token.content, language).join("\n");
    return `<pre class="hl"><code${cls}>${lines}\n</code></pre>\n`;
  }
  return `<pre><code${cls}>${escapeHtml(token.content)}</code></pre>\n`;
}

function createParser(): MarkdownItClass {
  const MarkdownIt = createRequire(import.meta.url)("markdown-it") as typeof MarkdownItClass;
  const md = new MarkdownIt("default", { html: true, linkify: true, typographer: false });
  // "README.md" is not a link to a Moldovan domain: only explicit http(s)/www-less URLs link.
  md.linkify.set({ fuzzyLink: false });
  // Every URL is judged once, by the sanitizer's URL policy (links.ts), not here.
  md.validateLink = () => true;
  md.core.ruler.push("heading_ids", headingIds);
  md.core.ruler.push("table_align", tableAlign);
  md.renderer.rules.fence = (tokens, idx, _options, env) => renderFence(tokens, idx, env as RenderEnv);
  return md;
}

let parser: MarkdownItClass | undefined;
const parserOnce = () => {
  parser ??= createParser();
  return parser;
};

function render(source: string, opts: MarkdownOptions, env: RenderEnv, tokens?: Token[]): string {
  if (source.length > MAX_MARKDOWN_BYTES) return `<pre>${escapeHtml(source)}</pre>\n`;
  const md = parserOnce();
  const html = md.renderer.render(tokens ?? md.parse(source, env), md.options, env);
  return sanitizeRendered(html, opts);
}

/**
 * Renders repository markdown to sanitized HTML. Relative links resolve against
 * opts.linkBase and images against opts.rawBase, relative to opts.path's folder (repository
 * root when absent), never above the root. Fenced code is escaped, with class="language-x".
 */
export function renderMarkdown(source: string, opts: MarkdownOptions): string {
  return render(source, opts, {});
}

/** As renderMarkdown, with fenced code blocks syntax-highlighted (hl-* classes, see highlight.ts). */
export async function renderMarkdownHighlighted(source: string, opts: MarkdownOptions): Promise<string> {
  if (source.length > MAX_MARKDOWN_BYTES) return renderMarkdown(source, opts);
  const env: RenderEnv = { highlight: true };
  const tokens = parserOnce().parse(source, env);
  const languages = new Set(
    tokens.filter((t) => t.type === "fence").map((t) => fenceLanguage(t.info.trim().split(/\s+/)[0] ?? "")),
  );
  await Promise.all([...languages].map(loadLanguage));
  return render(source, opts, env, tokens);
}
