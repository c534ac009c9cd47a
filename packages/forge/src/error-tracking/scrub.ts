// Secrets out of error context before it is stored or sent anywhere: values under keys that name
// a credential, and strings shaped like one (tokens, bearer headers, URLs with passwords), are
// replaced; depth, keys and string lengths are capped so any object can be kept.
const SECRET_KEY =
  /pass(word)?|secret|token|authori[sz]ation|cookie|api[-_]?key|private|session[-_]?id|signature|credential/i;
const SECRET_VALUE: [RegExp, string][] = [
  [/\bmic_[A-Za-z0-9_-]{8,}/g, "mic_[scrubbed]"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [scrubbed]"],
  [/(\w+:\/\/[^:/\s@]+):[^@\s/]+@/g, "$1:[scrubbed]@"],
  [/\b(enc:v\d+:)[^\s"]+/g, "$1[scrubbed]"],
];
const MAX_DEPTH = 5;
const MAX_KEYS = 50;
const MAX_STRING = 2000;

export const SCRUBBED = "[scrubbed]";

export function scrubText(s: string): string {
  let out = s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s;
  for (const [re, to] of SECRET_VALUE) out = out.replace(re, to);
  return out;
}

/** A copy of `value` safe to store: JSON-shaped, secrets replaced, size bounded. */
export function scrub(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "string") return scrubText(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return "[…]";
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => scrub(v, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_KEYS))
      out[k] = SECRET_KEY.test(k) ? SCRUBBED : scrub(v, depth + 1);
    return out;
  }
  return String(value);
}
