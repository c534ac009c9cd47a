// Encryption at rest for the few values the forge must read back (TOTP secrets, a pending
// sign-in's PKCE verifier and invite): AES-256-GCM with the instance key (secret-key.ts), a
// random 12-byte IV per value, stored as "enc:v1:<key id>:<base64url of iv | ciphertext | tag>".
// The header is authenticated too. The key id (8 hex digits of an HMAC of the key, which
// reveals nothing of it) names the key that sealed a value, so a changed key is reported as
// that, not as damage. A value without the "enc:" prefix was stored before encryption existed:
// reveal() hands it back as legacy plaintext, for the caller to check and seal again.
// Rotation (crypto/rotate-key.ts): a box may also hold previous keys; it seals with the current
// one only and opens values sealed with any of them, until every value has been sealed again.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

export const SEALED_PREFIX = "enc:";
export const KEY_BYTES = 32;
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** "malformed": not a sealed value; "other-key": sealed with another key; "tampered": altered. */
export type SecretBoxProblem = "malformed" | "other-key" | "tampered";

export class SecretBoxError extends Error {
  constructor(
    readonly problem: SecretBoxProblem,
    message: string,
  ) {
    super(message);
    this.name = "SecretBoxError";
  }
}

export interface SecretBox {
  /** Names this box's key in sealed values; safe to log. */
  readonly keyId: string;
  /** Every key id it opens: the current one first, then the previous keys'. */
  readonly keyIds: readonly string[];
  /** Encrypts a (well-formed Unicode) string; a new IV each time. */
  seal(plain: string): string;
  /** Decrypts a sealed value; throws SecretBoxError if it is malformed, for another key, or altered. */
  open(sealed: string): string;
  /** A stored value: sealed ones decrypted, anything without the prefix returned as legacy plaintext. */
  reveal(stored: string): { value: string; legacy: boolean };
  /** An HMAC-SHA256 (hex) of `data` under a key derived from the current key for `purpose`. */
  mac(purpose: string, data: string): string;
}

export const isSealed = (stored: string) => stored.startsWith(SEALED_PREFIX);

/** The public name of a key: 8 hex digits of HMAC-SHA256(key, a fixed label). */
export const keyIdOf = (key: Uint8Array) =>
  createHmac("sha256", key).update("micelio secret key id").digest("hex").slice(0, 8);

const SEALED = /^enc:(v[0-9]+):([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;

/** A box sealing with `keyBytes`; `previous` keys are accepted when opening (during a rotation). */
export function createSecretBox(keyBytes: Uint8Array, previous: readonly Uint8Array[] = []): SecretBox {
  if (keyBytes.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes`);
  const key = Buffer.from(keyBytes); // a private copy
  const keyId = keyIdOf(key);
  const header = `${SEALED_PREFIX}${VERSION}:${keyId}:`;
  const keys = new Map<string, Buffer>([[keyId, key]]);
  for (const old of previous) {
    if (old.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes`);
    if (!keys.has(keyIdOf(old))) keys.set(keyIdOf(old), Buffer.from(old));
  }

  function open(sealed: string): string {
    const m = SEALED.exec(sealed);
    if (!m) throw new SecretBoxError("malformed", "not a sealed value (enc:v1:<key id>:<data>)");
    const [, version, id, data] = m;
    if (version !== VERSION) throw new SecretBoxError("malformed", `unknown sealed value version ${version}`);
    const usedKey = keys.get(id);
    if (!usedKey)
      throw new SecretBoxError(
        "other-key",
        `sealed with secret key ${id}, but this forge's secret key is ${keyId}`,
      );
    const body = Buffer.from(data, "base64url");
    // base64url must round-trip exactly: a changed padding bit is damage too.
    if (body.length < IV_BYTES + TAG_BYTES || body.toString("base64url") !== data)
      throw new SecretBoxError("malformed", "a sealed value's data is cut short or not base64url");
    const decipher = createDecipheriv("aes-256-gcm", usedKey, body.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${SEALED_PREFIX}${VERSION}:${id}:`));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      const plain = decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES));
      return Buffer.concat([plain, decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("tampered", `a value sealed with secret key ${id} was altered`);
    }
  }

  return {
    keyId,
    keyIds: [...keys.keys()],
    seal(plain) {
      if (/\p{Cs}/u.test(plain)) throw new Error("only well-formed Unicode text can be sealed");
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(header));
      const body = Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return header + body.toString("base64url");
    },
    open,
    mac(purpose, data) {
      const derived = createHmac("sha256", key).update(`micelio mac: ${purpose}`).digest();
      return createHmac("sha256", derived).update(data).digest("hex");
    },
    reveal(stored) {
      return isSealed(stored) ? { value: open(stored), legacy: false } : { value: stored, legacy: true };
    },
  };
}
