// Test helpers: obviously fake but well-formed credentials, assembled at run time so
// that no real-looking secret sits in the source (and the forge's own scan stays quiet).

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
export const ALNUM = UPPER + LOWER + DIGITS;
export const BASE64 = `${ALNUM}+/`;
export const BASE64URL = `${ALNUM}-_`;
export const UPPER_ALNUM = UPPER + DIGITS;

/** A deterministic pseudo-random string of `length` characters drawn from `alphabet`. */
export function fakeChars(alphabet: string, length: number, seed = 1): string {
  let state = (seed * 2654435761) >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

/** AWS's documented example access key id and secret access key. */
export const AWS_EXAMPLE_KEY_ID = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
export const AWS_EXAMPLE_SECRET = ["wJalrXUtnFEMI", "/K7MDENG/", "bPxRfiCYEXAMPLEKEY"].join("");

/** A fake PEM block: header, 64-column base64 body and footer. */
export function fakePem(kind = "RSA ", seed = 7): string {
  const body = fakeChars(BASE64, 256, seed);
  const rows = body.match(/.{1,64}/g)!;
  const dashes = "-----";
  return [
    `${dashes}BEGIN ${kind}PRIVATE KEY${dashes}`,
    ...rows,
    `${dashes}END ${kind}PRIVATE KEY${dashes}`,
  ].join("\n");
}
