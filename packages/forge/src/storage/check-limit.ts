// Bucket checks run requests with credentials someone typed: at most CHECKS_PER_HOUR per
// account (in the forge's rate-limit store, shared by its processes through Redis when set),
// so the settings cannot be used to try keys or probe endpoints in bulk. 429 with Retry-After.
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors/app-error.ts";
import type { RateLimiter } from "../http/rate-limit.ts";

export const CHECKS_PER_HOUR = 20;
const counters = new WeakMap<RateLimiter, RateLimiterAbstract>();

export async function limitBucketChecks(limiter: RateLimiter | undefined, accountId: string) {
  if (!limiter) return;
  let counter = counters.get(limiter);
  if (!counter) {
    counter = limiter.counter("storage-check", CHECKS_PER_HOUR, 3600);
    counters.set(limiter, counter);
  }
  try {
    await counter.consume(accountId);
  } catch (err) {
    if (err instanceof Error) throw err;
    const seconds = Math.max(
      1,
      Math.ceil(((err as { msBeforeNext?: number }).msBeforeNext ?? 60_000) / 1000),
    );
    throw new AppError(
      "rate_limited",
      `Too many bucket checks (at most ${CHECKS_PER_HOUR} an hour); try again in ${seconds} seconds`,
      { headers: { "Retry-After": String(seconds) } },
    );
  }
}
