// The HTML allowlist for rendered markdown (sanitize-html). Everything markdown-it produces,
// including raw HTML from the source, passes through here: no scripts, styles, frames,
// objects, forms, event handlers or style attributes survive, and every link and image URL
// is rewritten by the repository URL policy in links.ts (data: URLs are refused entirely).
// sanitize-html is loaded on first use (synchronously, with require), not at start.
import { createRequire } from "node:module";
import type sanitizeHtmlFn from "sanitize-html";
import { type LinkContext, resolveUrl } from "./links.ts";

const EXTERNAL_REL = "nofollow noopener noreferrer";
const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];

const ALLOWED_TAGS = [
  ...HEADINGS,
  ...["p", "br", "hr", "blockquote", "pre", "code", "span", "div", "a", "img"],
  ...["em", "strong", "b", "i", "u", "del", "s", "strike", "ins", "sub", "sup", "kbd", "samp", "var"],
  ...["mark", "small", "abbr", "q", "cite", "tt", "ruby", "rt", "rp", "figure", "figcaption"],
  ...["ul", "ol", "li", "dl", "dt", "dd", "details", "summary"],
  ...["table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"],
];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ["href", "title", "id", "name", "rel"],
  img: ["src", "alt", "title", "width", "height", "align"],
  ...Object.fromEntries(HEADINGS.map((h) => [h, ["id", "align"]])),
  p: ["align"],
  div: ["align"],
  th: ["align", "colspan", "rowspan"],
  td: ["align", "colspan", "rowspan"],
  ol: ["start", "type"],
  details: ["open"],
  abbr: ["title"],
};

/** Classes the renderer itself emits: fence languages and highlighter tokens (see highlight.ts). */
const ALLOWED_CLASSES: Record<string, (string | RegExp)[]> = {
  code: [/^language-[\w+#.-]{1,40}$/],
  pre: ["hl"],
  span: [/^hl-(c[0-9a-f]{6}([0-9a-f]{2})?|[ibus])$/],
};

/** Tags dropped together with their content (the rest lose the tag but keep their text). */
const NON_TEXT_TAGS = [
  ...["script", "style", "textarea", "option", "select", "noscript", "xmp", "plaintext"],
  ...["iframe", "frame", "frameset", "noembed", "noframes", "object", "embed", "template", "title"],
  ...["svg", "math", "head", "applet", "audio", "video", "canvas", "button", "form"],
];

/** Rewrites href/src through the URL policy; drops what it refuses; sets rel on external links. */
function urlTransform(attr: "href" | "src", kind: "link" | "image", ctx: LinkContext) {
  return (tagName: string, attribs: sanitizeHtmlFn.Attributes) => {
    const out: sanitizeHtmlFn.Attributes = { ...attribs };
    delete out.rel;
    delete out.srcset;
    const value = attribs[attr];
    if (value !== undefined) {
      const resolved = resolveUrl(value, kind, ctx);
      if (!resolved) delete out[attr];
      else {
        out[attr] = resolved.url;
        if (resolved.external && kind === "link") out.rel = EXTERNAL_REL;
      }
    }
    return { tagName, attribs: out };
  };
}

/**
 * Makes harmless text look harmless too: "javascript:" / "vbscript:" and " onfoo=" can only
 * remain in text or attribute values (never as markup), where an entity renders the same, so
 * they are entity-encoded. This keeps the output free of those byte patterns for any filter
 * or audit that scans pages for them.
 */
function neutralizeText(html: string): string {
  return html.replace(/(javascript|vbscript)(\s*):/gi, "$1$2&#58;").replace(/(\son\w+\s*)=/gi, "$1&#61;");
}

/** Sanitizes renderer output (raw HTML from the source included) for a page. */
let sanitizer: typeof sanitizeHtmlFn | undefined;

export function sanitizeRendered(html: string, ctx: LinkContext): string {
  sanitizer ??= createRequire(import.meta.url)("sanitize-html") as typeof sanitizeHtmlFn;
  const clean = sanitizer(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedClasses: ALLOWED_CLASSES,
    allowedStyles: {},
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
    allowProtocolRelative: true,
    disallowedTagsMode: "discard",
    nonTextTags: NON_TEXT_TAGS,
    allowVulnerableTags: false,
    enforceHtmlBoundary: false,
    transformTags: {
      a: urlTransform("href", "link", ctx),
      img: urlTransform("src", "image", ctx),
    },
  });
  return neutralizeText(clean);
}
