// Throttles password sign-in: the web form (accounts/auth-pages.tsx) and Basic passwords on
// the API and git (http/authenticate.ts). Failures are counted per login name, whether or
// not such an account exists (so the answer never tells), and per IP address, within
// MICELIO_LOGIN_WINDOW seconds. Once either allowance is used up, further attempts are
// refused with 429 and Retry-After before any password is checked. Counters live where the
// request rate limits do (http/rate-limit.ts): in Redis when REDIS_URL is set, so every forge
// process sees the same failures; else in process memory, one set per running forge.
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";

interface Limiters {
  name: RateLimiterAbstract;
  ip: RateLimiterAbstract;
}

const byForge = new WeakMap<Forge, Limiters>();

function limiters(forge: Forge): Limiters {
  let set = byForge.get(forge);
  if (!set) {
    const { maxFailures, maxFailuresPerIp, windowSeconds } = forge.config.login;
    set = {
      name: forge.limiter.counter("login-name", maxFailures, windowSeconds),
      ip: forge.limiter.counter("login-ip", maxFailuresPerIp, windowSeconds),
    };
    byForge.set(forge, set);
  }
  return set;
}

/** The key of a login name: handle or email, as the sign-in compares them. */
export const loginKey = (login: string) => login.trim().toLowerCase().slice(0, 254);

/**
 * Takes one attempt from the login name's and the address's allowances before the password is
 * checked, so parallel guesses cannot all slip in under the limit. Returns 0 when the attempt
 * may go ahead, else the seconds to wait (and then takes nothing). A failed attempt keeps its
 * point; a correct password gives them back (loginSucceeded).
 */
export async function reserveLoginAttempt(forge: Forge, login: string, ip: string): Promise<number> {
  const l = limiters(forge);
  const checks: [RateLimiterAbstract, string][] = [
    [l.name, loginKey(login)],
    [l.ip, ip || "unknown"],
  ];
  const results = await Promise.allSettled(checks.map(([limiter, key]) => limiter.consume(key)));
  let wait = 0;
  for (const r of results) {
    if (r.status === "fulfilled") continue;
    if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
    wait = Math.max(wait, Math.ceil(r.reason.msBeforeNext / 1000), 1);
  }
  if (wait > 0)
    await Promise.all(
      checks.map(([limiter, key], i) => (results[i]!.status === "fulfilled" ? limiter.reward(key) : null)),
    );
  return wait;
}

/** A correct password: the name's count starts again, and the address gets its point back. */
export async function loginSucceeded(forge: Forge, login: string, ip: string): Promise<void> {
  const l = limiters(forge);
  await Promise.all([l.name.delete(loginKey(login)), l.ip.reward(ip || "unknown")]);
}

export const loginThrottledMessage = (seconds: number) => {
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
};

/** The refusal once the allowance is used up: 429 with Retry-After. */
export const loginThrottled = (seconds: number) =>
  new AppError("rate_limited", loginThrottledMessage(seconds), {
    headers: { "Retry-After": String(seconds) },
  });
