// yarn.lock, both the v1 format (`"a@^1.0.0", a@^1.1.0:` then `  version "1.2.3"`) and Yarn
// 2+'s YAML (`"a@npm:^1.0.0":` then `  version: 1.2.3`), read line by line: an unindented
// line ending in ":" opens an entry named by its first specifier, an indented `version`
// line pins it. Workspace and patch entries (versions with ":" or "-use.local") are skipped.
import { Locked, type LockedPackage } from "./locked.ts";

/** The package name of a specifier: `@scope/name@range` → `@scope/name`. */
export function specifierName(spec: string): string | undefined {
  const s = spec.trim().replace(/^"|"$/g, "");
  const at = s.indexOf("@", 1);
  return at > 0 ? s.slice(0, at) : undefined;
}

export function parseYarnLock(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const out = new Locked("npm");
  let current: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      current = line.endsWith(":") ? specifierName(line.slice(0, -1).split(",")[0] ?? "") : undefined;
      if (current === "__metadata") current = undefined;
      continue;
    }
    const m = /^\s+version:?\s+"?([^"\s]+)"?\s*$/.exec(line);
    if (m && current && /^\d/.test(m[1]!) && !m[1]!.includes(":") && !m[1]!.includes("-use.local")) {
      out.add(current, m[1]);
      current = undefined;
    }
  }
  return { packages: out.packages, truncated: out.truncated };
}
