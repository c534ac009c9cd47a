// Guessing user codes is the one way to attack device login, so entering a code (page or
// API) has its own, much smaller allowance than ordinary traffic: per account and per IP.
// Counters live in this process's memory (the forge-wide limiter, shared through Redis when
// configured, still applies on top).
import type { Viewer } from "../accounts/viewer.ts";
import { AppError } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { createRateLimiter, type RateLimiter } from "../http/rate-limit.ts";

export const CODE_ATTEMPTS_PER_USER = 10;
export const CODE_ATTEMPTS_PER_IP = 50;

const limiters = new WeakMap<Forge, RateLimiter>();

/** Counts one code entry; throws rate_limited once the account or address used its allowance. */
export async function countCodeAttempt(forge: Forge, viewer: Viewer): Promise<void> {
  let limiter = limiters.get(forge);
  if (!limiter) {
    limiter = createRateLimiter({
      anonymousPerMinute: CODE_ATTEMPTS_PER_IP,
      userPerMinute: CODE_ATTEMPTS_PER_USER,
    });
    limiters.set(forge, limiter);
  }
  const results = [await limiter.consume(`ip:${viewer.ip || "unknown"}`, "anonymous")];
  if (viewer.user) results.push(await limiter.consume(`user:${viewer.user.id}`, "user"));
  const refused = results.find((r) => !r.allowed);
  if (refused) {
    throw new AppError(
      "rate_limited",
      `Too many device codes entered; try again in ${refused.resetSeconds} seconds`,
      { headers: { "Retry-After": String(refused.resetSeconds) } },
    );
  }
}
