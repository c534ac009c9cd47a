// Rate limits for the actions that send mail or check a password: password-reset requests
// per IP and per address, sign-up notices per address, verification resends and address
// changes per account. Counters live where the request rate limits do (Redis with REDIS_URL,
// shared by every process; else memory, one set per running forge); refusals are 429 with
// Retry-After, except for sign-up notices, which are dropped silently.
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";

const HOUR = 3600;

export const MAIL_LIMITS = {
  /** Password-reset requests from one IP address. */
  resetPerIp: { points: 10, duration: HOUR },
  /** Password-reset requests for one email address, whoever asks. */
  resetPerAddress: { points: 3, duration: HOUR },
  /** Verification mails an account may ask for again. */
  resendPerUser: { points: 3, duration: HOUR },
  /** Notices that someone tried to sign up with a registered address, per address. */
  signupNoticePerAddress: { points: 3, duration: HOUR },
  /** Address changes (each checks the password) by one account. */
  changePerUser: { points: 10, duration: HOUR },
} as const;

export type MailLimit = keyof typeof MAIL_LIMITS;

const byForge = new WeakMap<Forge, Record<MailLimit, RateLimiterAbstract>>();

function limiters(forge: Forge) {
  let set = byForge.get(forge);
  if (!set) {
    set = Object.fromEntries(
      Object.entries(MAIL_LIMITS).map(([name, o]) => [
        name,
        forge.limiter.counter(`mail-${name}`, o.points, o.duration),
      ]),
    ) as Record<MailLimit, RateLimiterAbstract>;
    byForge.set(forge, set);
  }
  return set;
}

/** Counts one use of `limit` for `key`: false when it is used up (for limits that must not show). */
export async function tryMailLimit(forge: Forge, limit: MailLimit, key: string): Promise<boolean> {
  try {
    await limiters(forge)[limit].consume(key || "unknown");
    return true;
  } catch (err) {
    if (err instanceof RateLimiterRes) return false;
    throw err;
  }
}

/** Counts one use of `limit` for `key`; throws a rate_limited error when it is used up. */
export async function consumeMailLimit(forge: Forge, limit: MailLimit, key: string): Promise<void> {
  try {
    await limiters(forge)[limit].consume(key || "unknown");
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    const minutes = Math.ceil(seconds / 60);
    throw new AppError(
      "rate_limited",
      `Too many requests; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      { headers: { "Retry-After": String(seconds) } },
    );
  }
}
