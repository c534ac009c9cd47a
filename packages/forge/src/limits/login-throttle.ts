// Throttles password sign-in: the web form (accounts/auth-pages.tsx) and Basic passwords on
// the API and git (http/authenticate.ts). Failures are counted per login name, whether or
// not such an account exists (so the answer never tells), and per IP address, within
// MICELIO_LOGIN_WINDOW seconds. Once either allowance is used up, further attempts are
// refused with 429 and Retry-After before any password is checked. Counters live where the
// request rate limits do (http/rate-limit.ts): in Redis when REDIS_URL is set, so every forge
// process sees the same failures; else in process memory, one set per running forge.
import type { RateLimiterAbstract } from "rate-limiter-flexible";
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

/** Seconds to wait before this login may be tried again from this address; 0 when it may now. */
export async function loginWait(forge: Forge, login: string, ip: string): Promise<number> {
  const l = limiters(forge);
  const checks: [RateLimiterAbstract, string][] = [
    [l.name, loginKey(login)],
    [l.ip, ip || "unknown"],
  ];
  let wait = 0;
  for (const [limiter, key] of checks) {
    const r = await limiter.get(key);
    if (r && r.consumedPoints >= limiter.points) wait = Math.max(wait, Math.ceil(r.msBeforeNext / 1000), 1);
  }
  return wait;
}

/** Counts a failed password for the login name and the address. */
export async function countLoginFailure(forge: Forge, login: string, ip: string): Promise<void> {
  const l = limiters(forge);
  await Promise.all([l.name.penalty(loginKey(login)), l.ip.penalty(ip || "unknown")]);
}

/** A correct password clears the name's count (the address's stays). */
export async function clearLoginFailures(forge: Forge, login: string): Promise<void> {
  await limiters(forge).name.delete(loginKey(login));
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
