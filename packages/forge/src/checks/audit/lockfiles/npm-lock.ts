// package-lock.json (and npm-shrinkwrap.json), lockfileVersion 1, 2 and 3: v2/v3 list every
// installed package under `packages` by its node_modules path ("" is the project itself,
// `link: true` entries are workspace links); v1 nests `dependencies` recursively. Versions
// that are not registry versions (git URLs, file: paths) are skipped; aliases
// (`"npm:real-name@1.2.3"`) count as the real package.
import { isRecord, Locked, type LockedPackage, LockfileError, parseJson } from "./locked.ts";

const REGISTRY_VERSION = /^\d+\.\d+\.\d+[0-9A-Za-z.+-]*$/;

function addVersion(out: Locked, name: string, version: unknown) {
  if (typeof version !== "string") return;
  const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(version);
  if (alias) return addVersion(out, alias[1]!, alias[2]);
  if (REGISTRY_VERSION.test(version)) out.add(name, version);
}

export function parseNpmLock(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const doc = parseJson(text);
  if (!isRecord(doc)) throw new LockfileError("not a package-lock document (an object)");
  const out = new Locked("npm");
  if (isRecord(doc.packages)) {
    for (const [path, entry] of Object.entries(doc.packages)) {
      if (path === "" || !isRecord(entry) || entry.link === true) continue;
      const at = path.lastIndexOf("node_modules/");
      const name = typeof entry.name === "string" ? entry.name : at < 0 ? undefined : path.slice(at + 13);
      if (name) addVersion(out, name, entry.version);
    }
  } else if (isRecord(doc.dependencies)) {
    // v1: a stack instead of recursion, so a deeply nested document cannot exhaust the stack.
    const stack: Record<string, unknown>[] = [doc.dependencies];
    while (stack.length) {
      for (const [name, entry] of Object.entries(stack.pop()!)) {
        if (!isRecord(entry)) continue;
        addVersion(out, name, entry.version);
        if (isRecord(entry.dependencies)) stack.push(entry.dependencies);
      }
    }
  }
  return { packages: out.packages, truncated: out.truncated };
}
