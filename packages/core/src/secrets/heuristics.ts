// Heuristics that keep the scanner quiet on things that only look like secrets:
// placeholders, filler, sequential strings, code references and names that merely
// contain a secret-ish word.
import { shannonEntropy } from "./entropy.ts";

/** True when every character of `s` is the same one. */
export function isAllSameChar(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s[i] !== s[0]) return false;
  return true;
}

/**
 * True for runs like "abcdefgh", "987654321" or a short unit repeated ("abcabcabc"):
 * at least 80% of the steps between neighbours are the same ±1, or the string repeats
 * a unit of at most four characters.
 */
export function isSequential(s: string): boolean {
  if (s.length < 4) return false;
  for (let period = 1; period <= 4; period++) {
    let repeats = true;
    for (let i = period; i < s.length && repeats; i++) if (s[i] !== s[i - period]) repeats = false;
    if (repeats) return true;
  }
  let up = 0;
  let down = 0;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    if (d === 1) up++;
    else if (d === -1) down++;
  }
  return Math.max(up, down) >= 0.8 * (s.length - 1);
}

/** Obvious filler in an otherwise well-formed token, such as "ghp_xxxx…" or "AKIA0000…". */
export function looksLikeFiller(secret: string): boolean {
  return shannonEntropy(secret) < 2.5 || /([A-Za-z0-9*])\1{7,}/.test(secret);
}

const PLACEHOLDER_WORDS = [
  "changeme",
  "change_me",
  "change-me",
  "changeit",
  "replaceme",
  "replace_me",
  "replace-me",
  "placeholder",
  "your_",
  "your-",
  "yourkey",
  "yoursecret",
  "yourtoken",
  "yourpassword",
  "redacted",
  "dummy",
  "qwerty",
  "process.env",
  "import.meta.env",
  "os.environ",
  "getenv",
  "env(",
  "env[",
  "env.",
  "secrets.",
  "vault:",
];

/** Values that are placeholders or references rather than secrets. */
export function isPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (PLACEHOLDER_WORDS.some((w) => lower.includes(w))) return true;
  if (/[<>]|\$\{|\{\{|%\(|\$\(/.test(value)) return true; // <your-key>, ${VAR}, {{ var }}, %(var)s, $(cmd)
  if (/^\$[A-Za-z_]/.test(value)) return true; // $VAR
  if (/([xX*#._-])\1{3,}/.test(value)) return true; // xxxx, ****, ....
  if (isAllSameChar(value) || isSequential(value)) return true;
  // A dotted code reference such as config.auth.token or this.settings.apiKey.
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\))?$/.test(value)) return true;
  // URLs and file paths are locations, not credentials.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/:[^/:@]+@/.test(value)) return true;
  if (/^(?:\.{0,2}\/|~\/)[\w./-]*$/.test(value)) return true;
  return false;
}

const SECRET_WORDS = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
];
const QUALIFIER_WORDS = new Set([
  "name",
  "names",
  "id",
  "ids",
  "url",
  "uri",
  "path",
  "file",
  "type",
  "length",
  "len",
  "count",
  "size",
  "field",
  "label",
  "header",
  "prefix",
  "suffix",
  "env",
  "var",
  "format",
  "pattern",
  "regex",
  "kind",
  "mode",
  "ttl",
  "expires",
  "expiry",
  "endpoint",
  "dir",
  "hash",
  "policy",
  "rule",
  "rules",
]);

/** Splits an identifier like `dbPassword`, `API_KEY` or `client-secret` into lower-case words. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * True when an assignment target names a secret: one of its words is (or ends in) a
 * secret word, "api key" style pairs count, and names that describe a secret rather
 * than hold it (`token_url`, `secretName`, `password_hash`) do not.
 */
export function namesSecret(name: string): boolean {
  const words = identifierWords(name);
  if (words.length === 0) return false;
  if (QUALIFIER_WORDS.has(words[words.length - 1]!)) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const pair = i + 1 < words.length ? w + words[i + 1] : "";
    if (SECRET_WORDS.some((s) => w === s || w === `${s}s` || (w.length > s.length && w.endsWith(s))))
      return true;
    if (pair === "apikey" || pair === "accesskey" || pair === "privatekey" || pair === "secretkey")
      return true;
  }
  return false;
}
