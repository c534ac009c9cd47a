// Cargo.lock and poetry.lock: both list `[[package]]` tables with `name = "…"` and
// `version = "…"` lines, read line by line (no TOML library needed for these two keys).
// Cargo.lock entries without a `source` are the workspace's own crates, not crates.io's,
// and are skipped, as are git and path sources; poetry's names are PEP 503-normalised.
import { packageKey } from "../osv.ts";
import { Locked, type LockedPackage } from "./locked.ts";

type Table = Record<string, string>;

/** The `[[package]]` tables' string keys, in order. */
export function packageTables(text: string): Table[] {
  const tables: Table[] = [];
  let current: Table | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      current = line === "[[package]]" ? {} : null;
      if (current) tables.push(current);
      continue;
    }
    const m = /^([A-Za-z0-9_-]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (current && m) current[m[1]!] = m[2]!;
  }
  return tables;
}

export function parseCargoLock(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const out = new Locked("crates.io");
  for (const t of packageTables(text))
    if (t.source?.startsWith("registry+") || t.source?.startsWith("sparse+")) out.add(t.name, t.version);
  return { packages: out.packages, truncated: out.truncated };
}

export function parsePoetryLock(text: string): { packages: LockedPackage[]; truncated: boolean } {
  const out = new Locked("PyPI");
  for (const t of packageTables(text)) if (t.name) out.add(packageKey("PyPI", t.name), t.version);
  return { packages: out.packages, truncated: out.truncated };
}
