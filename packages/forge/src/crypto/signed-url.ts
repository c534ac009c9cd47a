// The check shared by the forge's signed URLs (objects by id, files by name, clone bundles):
// `?expires=<unix seconds>&sig=<64 hex>`, where each kind signs its own subject and the expiry
// with the instance key's mac under its own purpose. A URL is good while its expiry is in the
// future and no further away than the kind's lifetime, and its signature matches (compared in
// constant time).
import { timingSafeEqual } from "node:crypto";

export interface SignedQuery {
  expires?: string;
  sig?: string;
}

/** Seconds left on a signed URL's query, or null when it is missing, malformed, wrong or old. */
export function signedSecondsLeft(
  query: SignedQuery,
  sign: (expires: number) => string,
  lifetimeSeconds: number,
  now = Date.now(),
): number | null {
  const { expires, sig } = query;
  if (!expires || !sig || !/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return null;
  const left = Number(expires) - Math.floor(now / 1000);
  if (left <= 0 || left > lifetimeSeconds) return null;
  const want = Buffer.from(sign(Number(expires)));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? left : null;
}
