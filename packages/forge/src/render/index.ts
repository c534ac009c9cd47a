// Public API of the rendering layer used by the code-browsing pages: markdown to sanitized
// HTML, per-line syntax highlighting, and the memory + disk cache for rendered views.
export {
  ByteLru,
  cacheFilePath,
  createRenderCache,
  type RenderCache,
  type RenderCacheOptions,
  type RenderCacheStats,
} from "./cache.ts";
export { escapeHtml } from "./escape.ts";
export {
  type HighlightedFile,
  highlightCode,
  highlightFile,
  highlightStylesheet,
  loadLanguage,
  MAX_HIGHLIGHT_BYTES,
  MAX_HIGHLIGHT_MS,
  splitLines,
} from "./highlight.ts";
export { detectLanguage, fenceLanguage, PLAIN_TEXT } from "./languages.ts";
export { type LinkContext, type ResolvedUrl, resolveUrl, type UrlKind } from "./links.ts";
export {
  MAX_MARKDOWN_BYTES,
  type MarkdownOptions,
  renderMarkdown,
  renderMarkdownHighlighted,
  slugify,
} from "./markdown.ts";
