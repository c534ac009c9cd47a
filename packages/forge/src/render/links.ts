// URL policy for rendered markdown: decides what a link or image URL in a README becomes.
// Relative paths resolve inside the repository (never above its root) against the page's
// link base (links) or raw base (images); only http(s) (and mailto for links) leave the site;
// every other scheme (javascript:, vbscript:, data:, file:, …) is refused.

export interface LinkContext {
  /** Prefix for links to repository files, e.g. "/alice/forge/blob/main". */
  linkBase: string;
  /** Prefix for raw file content, used for images, e.g. "/alice/forge/raw/main". */
  rawBase: string;
  /** Repository path of the markdown file itself ("docs/intro.md"); root when absent. */
  path?: string;
}

export type UrlKind = "link" | "image";

export interface ResolvedUrl {
  url: string;
  /** True when the URL leaves the forge (gets rel="nofollow noopener noreferrer"). */
  external: boolean;
}

const LINK_SCHEMES = new Set(["http", "https", "mailto"]);
const IMAGE_SCHEMES = new Set(["http", "https"]);

/** What a browser does before parsing: drop tab/CR/LF anywhere, C0 and space at the ends. */
function browserClean(raw: string): string {
  const s = raw.replace(/[\t\n\r]/g, "");
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // Lone surrogates can't be encoded; drop them rather than fail the whole render.
    return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, ""));
  }
}

/** Query or fragment: keep URL punctuation, percent-encode spaces, quotes, controls, non-ASCII. */
function encodeTail(s: string): string {
  return s.replace(/[^\w\-.~!$&'()*+,;=:@/?%#]/gu, (c) => safeEncode(c));
}

/** Path segments of the markdown file's directory, clamped at the repository root. */
function baseDirectory(path: string | undefined): string[] {
  const parts = (path ?? "").split("/");
  parts.pop(); // the file name itself
  return walk([], parts, (s) => s);
}

/** Applies segments to a stack: "." stays, ".." goes up but never above the root. */
function walk(stack: string[], segments: string[], decode: (s: string) => string): string[] {
  const out = [...stack];
  for (const segment of segments) {
    // A decoded "%2F" or "%5C" is a separator too, so "a%2F..%2F.." can't climb later.
    for (const name of decode(segment).split(/[\\/]/)) {
      if (name === "" || name === ".") continue;
      if (name === "..") out.pop();
      else out.push(name);
    }
  }
  return out;
}

function absolute(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/**
 * Resolves a link or image URL found in markdown (already entity-decoded); undefined when it
 * must be dropped. Relative results always start with the given base.
 */
export function resolveUrl(raw: string, kind: UrlKind, ctx: LinkContext): ResolvedUrl | undefined {
  const cleaned = browserClean(raw);
  if (cleaned === "") return undefined;
  if (cleaned.startsWith("#")) return { url: `#${encodeTail(cleaned.slice(1))}`, external: false };

  // Browsers treat "\" like "/" in http(s) URLs, so "/\evil.example" is protocol-relative.
  const slashed = cleaned.replace(/\\/g, "/");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(slashed)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    const allowed = kind === "link" ? LINK_SCHEMES : IMAGE_SCHEMES;
    if (!allowed.has(scheme)) return undefined;
    if (scheme === "mailto") return { url: `mailto:${encodeTail(slashed.slice(7))}`, external: false };
    const href = absolute(slashed);
    return href ? { url: href, external: true } : undefined;
  }
  if (slashed.startsWith("//")) {
    const href = absolute(`https:${slashed}`);
    return href ? { url: href, external: true } : undefined;
  }

  // A path inside the repository: "/x" from the root, anything else from the file's folder.
  const tailAt = slashed.search(/[?#]/);
  const pathPart = tailAt === -1 ? slashed : slashed.slice(0, tailAt);
  const tail = tailAt === -1 ? "" : encodeTail(slashed.slice(tailAt));
  const start = pathPart.startsWith("/") ? [] : baseDirectory(ctx.path);
  // Decoding before the dot check also catches "%2e%2e", which browsers treat as "..".
  const segments = walk(start, pathPart.split("/"), safeDecode);
  const base = (kind === "image" ? ctx.rawBase : ctx.linkBase).replace(/\/+$/, "");
  const trailing = pathPart.endsWith("/") && segments.length > 0 ? "/" : "";
  const encoded = segments.map(safeEncode).join("/");
  return { url: `${base}/${encoded}${trailing}${tail}`, external: false };
}
