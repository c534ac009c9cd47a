// Pages' links to a project's file bytes on the CDN (`MICELIO_CDN_URL`, content/file-urls.ts):
// the blob page's Raw link and image preview, and images in rendered markdown that resolve to
// files of the repository. Each becomes the blob's URL by id under its file name — plain and
// immutable for a public project, signed for a few minutes for a private one (so such a page
// is never kept by a shared cache: pages of private projects are `private, no-cache`).
// Without a CDN, or for what the CDN does not serve, pages keep the /raw/ routes.
import { MAX_OBJECT_BYTES } from "../content/content-service.ts";
import { cdnFileUrl } from "../content/file-urls.ts";
import type { Forge } from "../http/context.ts";
import type { Repo } from "./browse-service.ts";
import { statPath, type TreeEntry } from "./git-read.ts";

/** Most distinct repository images one rendered document gets CDN URLs for (the rest: /raw/). */
export const MAX_CDN_IMAGES = 64;

/** The CDN URL of a file the page shows, or undefined (then the page links /raw/). */
export function cdnHref(forge: Forge, repo: Repo, entry: TreeEntry): string | undefined {
  if (entry.type !== "blob" || (entry.size ?? 0) > MAX_OBJECT_BYTES) return undefined;
  return cdnFileUrl(forge, repo.project, entry.oid, entry.name);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function decodePath(encoded: string): string | undefined {
  try {
    return encoded.split("/").map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
}

/**
 * Rendered markdown with its images under `rawBase` (repository files, links.ts) pointed at
 * the CDN, each looked up at `commit`; those that name no blob there keep their /raw/ URL.
 */
export async function cdnImages(
  forge: Forge,
  repo: Repo,
  commit: string,
  rawBase: string,
  html: string,
): Promise<string> {
  if (!forge.config.cdnUrl || !html.includes(`src="${rawBase}/`)) return html;
  const pattern = new RegExp(`(<img\\b[^>]*?\\ssrc=")${escapeRegExp(rawBase)}/([^"?#&<>]+)"`, "g");
  const paths = new Set<string>();
  for (const m of html.matchAll(pattern)) if (paths.size < MAX_CDN_IMAGES) paths.add(m[2]!);
  const urls = new Map<string, string>();
  await Promise.all(
    [...paths].map(async (encoded) => {
      const path = decodePath(encoded);
      const entry = path ? await statPath(repo.git, commit, path).catch(() => undefined) : undefined;
      const url = entry && cdnHref(forge, repo, entry);
      if (url) urls.set(encoded, url);
    }),
  );
  return html.replace(pattern, (whole, start: string, encoded: string) => {
    const url = urls.get(encoded);
    return url ? `${start}${url.replace(/&/g, "&amp;")}"` : whole;
  });
}
