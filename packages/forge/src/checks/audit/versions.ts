// Version order for advisory matching, no dependency: SemVer 2.0 precedence for the
// ecosystems that use it (npm, crates.io, Go; a leading "v" and build metadata ignored), and
// a dotted comparison for the others (PyPI, RubyGems…): runs of digits compare as numbers,
// runs of letters as text and before any number, a missing part counts as 0: "1.0" = "1.0.0",
// and "1.0rc1" or "1.0.pre" comes before "1.0".

export type Ecosystem = "npm" | "crates.io" | "Go" | "PyPI" | "RubyGems";
export const ECOSYSTEMS: readonly Ecosystem[] = ["npm", "crates.io", "Go", "PyPI", "RubyGems"];

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

interface SemVer {
  core: [bigint, bigint, bigint];
  pre: string[];
}

export function parseSemver(v: string): SemVer | null {
  if (v.length > 256) return null;
  const m = SEMVER.exec(v.trim());
  if (!m) return null;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split(".") : [] };
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmpBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const NUMERIC = /^\d+$/;

function cmpIdentifiers(a: string, b: string) {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return cmpBig(BigInt(a), BigInt(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) {
    const c = cmpBig(a.core[i]!, b.core[i]!);
    if (c) return c;
  }
  if (!a.pre.length || !b.pre.length) return sign(b.pre.length - a.pre.length);
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = cmpIdentifiers(a.pre[i]!, b.pre[i]!);
    if (c) return c;
  }
  return sign(a.pre.length - b.pre.length);
}

/** Tokens of a dotted version: numbers and lower-case letter runs; separators dropped. */
function tokens(v: string): (bigint | string)[] {
  const out: (bigint | string)[] = [];
  for (const m of v
    .toLowerCase()
    .slice(0, 256)
    .matchAll(/\d+|[a-z]+/g))
    out.push(NUMERIC.test(m[0]) ? BigInt(m[0]) : m[0]);
  return out;
}

export function compareDotted(a: string, b: string): number {
  const x = tokens(a.replace(/^v(?=\d)/i, ""));
  const y = tokens(b.replace(/^v(?=\d)/i, ""));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    // The shorter goes on with zeros: "1.0" is "1.0.0", and "1.0rc1" (letters) comes before it.
    const p = x[i] ?? 0n;
    const q = y[i] ?? 0n;
    if (typeof p === "bigint" && typeof q === "bigint") {
      const c = cmpBig(p, q);
      if (c) return c;
    } else if (typeof p === "bigint") return 1;
    else if (typeof q === "bigint") return -1;
    else if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/** Compares two versions of an ecosystem: negative, zero or positive. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  if (ecosystem === "npm" || ecosystem === "crates.io" || ecosystem === "Go") {
    const x = parseSemver(a);
    const y = parseSemver(b);
    if (x && y) return compareSemver(x, y);
  }
  return compareDotted(a, b);
}
