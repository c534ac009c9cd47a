// Where pages point a browser at one of a project's files by blob id when the instance has a
// CDN (`MICELIO_CDN_URL`): `${CDN}/api/v1/projects/{owner}/{project}/objects/{sha}/{name}`,
// served with a type derived from the name (named-objects-api.ts). A public project's URL is
// plain and immutable. A private project's carries a signature over the project, the blob id,
// the name and the expiry (`?expires=<unix>&sig=<hmac>`, the instance key's mac under its own
// purpose, so it opens that one file only, and no object URL of object-urls.ts opens it). The
// expiry is rounded up to the minute, so a page viewed again within the minute names the same
// URL and the browser's copy is used. Without a CDN there is no such URL (pages keep /raw/).
import { type SignedQuery, signedSecondsLeft } from "../crypto/signed-url.ts";
import type { Forge } from "../http/context.ts";
import { SIGNED_URL_SECONDS } from "./object-urls.ts";

const PURPOSE = "object file urls";
/** Longest file name an object is served under. */
export const MAX_FILE_NAME = 255;

export const fileSignature = (forge: Forge, projectId: string, sha: string, name: string, expires: number) =>
  forge.secrets.mac(PURPOSE, `${projectId}\n${sha}\n${expires}\n${name}`);

interface UrlProject {
  id: string;
  owner_handle: string;
  handle: string;
  visibility: string;
}

/** The path of a blob served under a file name (the same on the forge and on the CDN). */
export const objectFilePath = (project: UrlProject, sha: string, name: string) =>
  `/api/v1/projects/${encodeURIComponent(project.owner_handle)}/${encodeURIComponent(project.handle)}/objects/${sha}/${encodeURIComponent(name)}`;

/** The CDN URL of a project's blob under `name`; undefined without a CDN or for a name too long. */
export function cdnFileUrl(
  forge: Forge,
  project: UrlProject,
  sha: string,
  name: string,
  now = Date.now(),
): string | undefined {
  const cdn = forge.config.cdnUrl;
  // "." and ".." are no file's name, and a URL's path would lose them.
  if (!cdn || !name || name.length > MAX_FILE_NAME || name.includes("/") || name === "." || name === "..")
    return undefined;
  const url = `${cdn}${objectFilePath(project, sha, name)}`;
  if (project.visibility === "public") return url;
  // Rounded to the minute, and never further than SIGNED_URL_SECONDS away.
  const expires = Math.floor(now / 60_000) * 60 + SIGNED_URL_SECONDS;
  return `${url}?expires=${expires}&sig=${fileSignature(forge, project.id, sha, name, expires)}`;
}

/** Seconds left on a file URL's signature, or null when it is wrong, for another file, or old. */
export const fileSecondsLeft = (
  forge: Forge,
  projectId: string,
  sha: string,
  name: string,
  signature: SignedQuery,
  now = Date.now(),
): number | null =>
  signedSecondsLeft(signature, (e) => fileSignature(forge, projectId, sha, name, e), SIGNED_URL_SECONDS, now);
