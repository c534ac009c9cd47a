// The signature a receiver checks: `X-Micelio-Signature-256: sha256=<hex>`, HMAC-SHA256 of the
// raw body with the hook's secret. The body carries the delivery id and the time it was sent,
// so a receiver that remembers ids and refuses old timestamps is safe from replays.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-micelio-signature-256";

export const signBody = (secret: string, body: string | Buffer) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** Whether a header value is the signature of this body under this secret (constant time). */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined | null) {
  if (!header) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header.trim());
  return want.length === got.length && timingSafeEqual(want, got);
}
