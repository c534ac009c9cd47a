// Path hashes as the landing index stores and probes them, and the one-size filter sizing
// for configurations that need equal filters (see rollups.ts).
import { optimalParameters, pathHash } from "./bloom-filter.ts";
import { conflictProbes, expandPaths } from "./paths.ts";

/** Distinct hashes of a landing's stored (expanded) paths. */
export function landingHashes(paths: Iterable<string>): Set<number> {
  return new Set(Array.from(expandPaths(paths), pathHash));
}

/** Distinct hashes a session probes landings with. */
export function probeHashes(paths: Iterable<string>): number[] {
  return [...new Set(Array.from(conflictProbes(paths), pathHash))];
}

/**
 * Filter size for a fixed-size configuration: the (m, k) that keeps the false-positive rate
 * ≤ p for every landing up to the 99th percentile (nearest rank) of observed expanded path
 * counts. This index sizes each landing and block for its own count instead; use this where
 * one size must fit all (filters OR-ed bit for bit need equal m and k).
 */
export function sizeForP99(
  pathCounts: readonly number[],
  p = 0.01,
): { n: number; m: number; k: number; bytes: number } {
  const sorted = [...pathCounts].sort((x, y) => x - y);
  const n = sorted.length === 0 ? 1 : Math.max(1, sorted[Math.ceil(0.99 * sorted.length) - 1]);
  const { m, k } = optimalParameters(n, p);
  return { n, m, k, bytes: m / 8 };
}
