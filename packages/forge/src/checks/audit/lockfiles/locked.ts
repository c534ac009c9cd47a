// What every lockfile parser returns: the packages a lockfile pins, each with its ecosystem
// (the OSV name), name and exact version, deduplicated and capped. A parser meets text it
// cannot read with a LockfileError (the step says which file and why), never another throw.
import type { Ecosystem } from "../versions.ts";

export interface LockedPackage {
  ecosystem: Ecosystem;
  name: string;
  version: string;
}

/** Packages kept from one lockfile; the rest are dropped and the step says so. */
export const MAX_PACKAGES = 50_000;

export class LockfileError extends Error {}

/** Collects packages once each (same name and version), up to MAX_PACKAGES. */
export class Locked {
  private seen = new Set<string>();
  readonly packages: LockedPackage[] = [];
  truncated = false;
  constructor(private ecosystem: Ecosystem) {}

  add(name: string | undefined, version: string | undefined) {
    if (!name || !version || name.length > 300 || version.length > 200) return;
    const key = `${name}@${version}`;
    if (this.seen.has(key)) return;
    if (this.packages.length >= MAX_PACKAGES) {
      this.truncated = true;
      return;
    }
    this.seen.add(key);
    this.packages.push({ ecosystem: this.ecosystem, name, version });
  }
}

/** JSON.parse that says what is wrong as a LockfileError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LockfileError(`not valid JSON (${(err as Error).message.slice(0, 120)})`);
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
