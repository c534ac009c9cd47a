// Retry delays for failed jobs: exponential (base * 2^(attempt-1)), capped, with a little
// downward jitter so that jobs failing together do not all come back at the same instant.
export interface BackoffOptions {
  /** Delay after the first failed attempt, in ms (default 2 s). */
  baseMs?: number;
  /** Upper bound for any delay, in ms (default 1 hour). */
  capMs?: number;
  /** Fraction (0..1) of the delay that may be taken off at random (default 0.1). */
  jitter?: number;
}

/** Given the number of the attempt that just failed (1-based), the delay before the next one. */
export type BackoffFn = (attempt: number) => number;

export const DEFAULT_BACKOFF = { baseMs: 2_000, capMs: 60 * 60 * 1000, jitter: 0.1 } as const;

/** The delay before jitter: min(cap, base * 2^(attempt-1)), in whole ms. */
export function backoffCeiling(attempt: number, opts: BackoffOptions = {}): number {
  const base = Math.max(0, opts.baseMs ?? DEFAULT_BACKOFF.baseMs);
  const cap = Math.max(0, opts.capMs ?? DEFAULT_BACKOFF.capMs);
  const n = Math.max(1, Math.floor(Number.isFinite(attempt) ? attempt : 1));
  // The exponent is bounded so that 2 ** e stays finite (0 * Infinity would be NaN); a
  // product that still overflows to Infinity is then brought down to the cap by min().
  return Math.floor(Math.min(cap, base * 2 ** Math.min(n - 1, 1000)));
}

/** The delay with jitter applied: a value in [ceiling * (1 - jitter), ceiling], never above the cap. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random) {
  const ceiling = backoffCeiling(attempt, opts);
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? DEFAULT_BACKOFF.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.floor(ceiling * (1 - jitter * r));
}

export function exponentialBackoff(opts: BackoffOptions = {}): BackoffFn {
  return (attempt) => backoffDelay(attempt, opts);
}
