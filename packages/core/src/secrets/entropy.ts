// Shannon entropy of a string, in bits per character, used to tell random-looking
// credentials from ordinary words and placeholders.

/** Shannon entropy of `s` in bits per character (0 for the empty string). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  let total = 0;
  for (const ch of s) {
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
    total++;
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of the classes lower case, upper case, digit and other `s` draws from. */
export function characterClasses(s: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) lower = 1;
    else if (c >= 0x41 && c <= 0x5a) upper = 1;
    else if (c >= 0x30 && c <= 0x39) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}
