// pnpm-lock.yaml, lockfile versions 5 to 9: every package is a key of `packages` naming it
// and its version, `/name/1.2.3` or `/name/1.2.3_peer@1` (v5), `/name@1.2.3(peer@1)` (v6),
// `name@1.2.3` (v9), with scoped names alike; an entry's own `name`/`version` fields win.
// Parsed with `yaml` (aliases capped); local (file:, link:) entries are skipped.
import { parse } from "yaml";
import { isRecord, Locked, type LockedPackage, LockfileError } from "./locked.ts";

/** Name and version from a `packages` key, or undefined when it names no registry package. */
export function pnpmKey(key: string): { name: string; version: string } | undefined {
  const k = key.replace(/^\//, "").replace(/\(.*$/, "");
  const at = k.indexOf("@", 1);
  if (at > 0 && !k.slice(0, at).includes("/", k.startsWith("@") ? k.indexOf("/") + 1 : 0)) {
    const version = k.slice(at + 1);
    return /^\d/.test(version) ? { name: k.slice(0, at), version } : undefined;
  }
  const slash = k.lastIndexOf("/");
  if (slash <= 0) return undefined;
  const version = k.slice(slash + 1).replace(/_.*$/, "");
  return /^\d/.test(version) ? { name: k.slice(0, slash), version } : undefined;
}

export function parsePnpmLock(text: string): { packages: LockedPackage[]; truncated: boolean } {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 1000, uniqueKeys: false, logLevel: "error" });
  } catch (err) {
    throw new LockfileError(`not valid YAML (${(err as Error).message.split("\n")[0]?.slice(0, 120)})`);
  }
  if (!isRecord(doc)) throw new LockfileError("not a pnpm lockfile (a mapping)");
  const out = new Locked("npm");
  for (const [key, entry] of Object.entries(isRecord(doc.packages) ? doc.packages : {})) {
    const fromKey = pnpmKey(key);
    const own = isRecord(entry) ? entry : {};
    const name = typeof own.name === "string" ? own.name : fromKey?.name;
    const version =
      typeof own.version === "string" && /^\d/.test(own.version) ? own.version : fromKey?.version;
    out.add(name, version);
  }
  return { packages: out.packages, truncated: out.truncated };
}
