// The file view: highlighted lines with numbered anchors (#L10; /assets/code-lines.js adds
// #L10-L20 ranges as an optional enhancement), rendered markdown, image previews, and the
// notice with a raw link for binary or oversized files (on the CDN when there is one). Code
// scrolls inside its own box.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { isMarkdown, type Repo } from "./browse-service.ts";
import { blobUrl, commitsUrl, rawUrl } from "./browse-views.tsx";
import type { Location, TreeEntry } from "./git-read.ts";

export { codeTableHtml } from "./code-view-html.ts";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const IMAGE = /\.(png|jpe?g|gif|webp|avif|bmp|ico|svg)$/i;

export interface FileBody {
  kind: "code" | "markdown" | "image" | "binary" | "too-large" | "symlink";
  html?: string;
  lineCount?: number;
  language?: string;
  target?: string;
  /** Where the file's bytes are linked: its CDN URL (cdn-links.ts), else the raw route. */
  rawHref?: string;
}

export function FileHeader(props: {
  repo: Repo;
  loc: Location;
  entry: TreeEntry;
  body: FileBody;
  plain: boolean;
}) {
  const { repo, loc, entry, body } = props;
  const facts = [
    body.lineCount !== undefined ? `${body.lineCount} line${body.lineCount === 1 ? "" : "s"}` : null,
    formatBytes(entry.size ?? 0),
    body.language && body.language !== "text" ? body.language : null,
  ].filter(Boolean);
  const here = blobUrl(repo, loc.ref, entry.path);
  return (
    <div class="file-header">
      <span class="hint">{facts.join(" · ")}</span>
      <nav class="file-actions" aria-label="File">
        {isMarkdown(entry.path) && body.kind !== "too-large" ? (
          props.plain ? (
            <a href={here}>Preview</a>
          ) : (
            <a href={`${here}?plain=1`}>Code</a>
          )
        ) : null}
        <a href={body.rawHref ?? rawUrl(repo, loc.ref, entry.path)}>Raw</a>
        {body.kind === "code" || body.kind === "markdown" ? (
          <a href={here.replace(`${repo.base}/blob/`, `${repo.base}/blame/`)}>Blame</a>
        ) : null}
        <a href={commitsUrl(repo, loc.ref, entry.path)}>History</a>
      </nav>
    </div>
  );
}

function Notice({ children }: { children?: Child }) {
  return <div class="notice file-notice">{children}</div>;
}

export function FileContent(props: { repo: Repo; loc: Location; entry: TreeEntry; body: FileBody }) {
  const { repo, loc, entry, body } = props;
  const href = body.rawHref ?? rawUrl(repo, loc.ref, entry.path);
  const rawLink = <a href={href}>View the raw file</a>;
  switch (body.kind) {
    case "code":
      return (
        <>
          {raw(body.html ?? "")}
          <script src="/assets/code-lines.js" defer />
        </>
      );
    case "markdown":
      return <article class="markdown card">{raw(body.html ?? "")}</article>;
    case "image":
      return (
        <div class="image-view">
          <img src={href} alt={entry.name} />
        </div>
      );
    case "symlink":
      return (
        <Notice>
          Symbolic link to <code>{body.target}</code>
        </Notice>
      );
    case "too-large":
      return (
        <Notice>
          This file is too large to show here ({formatBytes(entry.size ?? 0)}). {rawLink}.
        </Notice>
      );
    default:
      return <Notice>This is a binary file. {rawLink}.</Notice>;
  }
}

/** Decides how a blob is shown, given what readEntry found. */
export function bodyKind(
  entry: TreeEntry,
  f: { binary: boolean; tooLarge: boolean },
  plain: boolean,
): FileBody["kind"] {
  if (entry.mode === "120000") return "symlink";
  if (IMAGE.test(entry.path) && (f.binary || /\.svg$/i.test(entry.path)) && !plain) return "image";
  if (f.tooLarge) return "too-large";
  if (f.binary) return "binary";
  return isMarkdown(entry.path) && !plain ? "markdown" : "code";
}
