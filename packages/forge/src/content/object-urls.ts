// Where a client fetches a project's objects by id: `MICELIO_CDN_URL` (a CDN in front of the
// forge) or the forge itself. Public projects' object URLs are plain and cacheable by anyone.
// A private project's carry a short-lived signature instead of the caller's credentials, so a
// CDN can serve them without ever seeing a token: `?expires=<unix>&sig=<hmac>`, the HMAC (the
// instance key's, crypto/secret-box.ts `mac`) over the project's id and the expiry. Anyone
// holding such a URL may read that project's objects until it expires, as with any signed URL.
import { signedSecondsLeft as secondsLeft } from "../crypto/signed-url.ts";
import type { Forge } from "../http/context.ts";

/** How long a signed object URL lives. */
export const SIGNED_URL_SECONDS = 600;
const PURPOSE = "object urls";

export const objectSignature = (forge: Forge, projectId: string, expires: number) =>
  forge.secrets.mac(PURPOSE, `${projectId}:${expires}`);

/**
 * The URL template of a project's objects: `{sha}` stands for the id. `origin` is the forge's
 * public URL, used when no CDN is configured.
 */
export function objectUrlTemplate(
  forge: Forge,
  origin: string,
  project: { id: string; owner_handle: string; handle: string; visibility: string },
  now = Date.now(),
) {
  const base = forge.config.cdnUrl ?? origin.replace(/\/+$/, "");
  const path = `/api/v1/projects/${encodeURIComponent(project.owner_handle)}/${encodeURIComponent(project.handle)}/objects/{sha}`;
  if (project.visibility === "public") return { url: `${base}${path}`, expires_at: null };
  const expires = Math.floor(now / 1000) + SIGNED_URL_SECONDS;
  const sig = objectSignature(forge, project.id, expires);
  return {
    url: `${base}${path}?expires=${expires}&sig=${sig}`,
    expires_at: new Date(expires * 1000).toISOString(),
  };
}

/** Whether `sig` signs this project until `expires`, and it has not passed; seconds left or null. */
export const signedSecondsLeft = (
  forge: Forge,
  projectId: string,
  expires: string | undefined,
  sig: string | undefined,
  now = Date.now(),
): number | null =>
  secondsLeft({ expires, sig }, (e) => objectSignature(forge, projectId, e), SIGNED_URL_SECONDS, now);
