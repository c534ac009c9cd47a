// The absolute URL a client downloads a repository's bundle from, under the git smart HTTP
// path: `<base>/<owner>/<project>.git/bundles/<id>.bundle`, the base being `MICELIO_CDN_URL`
// (a CDN in front of the forge) or the forge's public origin. A public project's URL is plain
// and cacheable by anyone. A private project's carries a short-lived signature
// (`?expires=<unix>&sig=<hmac>`, the instance key's HMAC over the project, bundle and expiry,
// as content/object-urls.ts does for objects), so neither a CDN nor git's bundle download
// needs the caller's credentials; without a valid one the download asks for them as a clone does.
import { type SignedQuery, signedSecondsLeft } from "../../crypto/signed-url.ts";
import type { Forge } from "../../http/context.ts";

/** How long a signed bundle URL lives: the clone that was given it starts right away. */
export const SIGNED_BUNDLE_SECONDS = 600;
const PURPOSE = "bundle urls";

const signature = (forge: Forge, projectId: string, bundleId: string, expires: number) =>
  forge.secrets.mac(PURPOSE, `${projectId}:${bundleId}:${expires}`);

export function bundleUrl(
  forge: Forge,
  origin: string,
  project: { id: string; owner_handle: string; handle: string; visibility: string },
  bundleId: string,
  now = Date.now(),
): string {
  const base = forge.config.cdnUrl ?? origin.replace(/\/+$/, "");
  const url = `${base}/${encodeURIComponent(project.owner_handle)}/${encodeURIComponent(project.handle)}.git/bundles/${bundleId}.bundle`;
  if (project.visibility === "public") return url;
  const expires = Math.floor(now / 1000) + SIGNED_BUNDLE_SECONDS;
  return `${url}?expires=${expires}&sig=${signature(forge, project.id, bundleId, expires)}`;
}

/** Seconds a signed bundle URL has left, or null when it is missing, wrong or expired. */
export const signedBundleSecondsLeft = (
  forge: Forge,
  projectId: string,
  bundleId: string,
  query: SignedQuery,
  now = Date.now(),
): number | null =>
  signedSecondsLeft(query, (e) => signature(forge, projectId, bundleId, e), SIGNED_BUNDLE_SECONDS, now);
