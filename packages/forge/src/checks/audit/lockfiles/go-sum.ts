// go.sum: `module version h1:hash` lines, two per module version (the module and its go.mod,
// whose version ends in "/go.mod"). Every module version go.sum names counts: go.sum can list
// a few the build no longer selects, so the audit may name one it did not need (on the safe side).
import { Locked, type LockedPackage } from "./locked.ts";

export function parseGoSum(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const out = new Locked("Go");
  for (const line of text.split(/\r?\n/)) {
    const [module, version, hash] = line.trim().split(/\s+/);
    if (!module || !version || !hash?.startsWith("h1:")) continue;
    const v = version.replace(/\/go\.mod$/, "");
    if (/^v\d/.test(v)) out.add(module, v);
  }
  return { packages: out.packages, truncated: out.truncated };
}
