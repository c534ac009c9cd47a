// Request rate limits in three tiers: per IP for anonymous requests, per account for
// signed-in ones, and per account for agents (requests with a token marked as an agent's:
// tokens/, limits/rate-tiers.ts), in
// process memory by default or in Redis (REDIS_URL) so several forge processes share them.
// Answers carry RateLimit-* headers; refusals are 429 with Retry-After.
import { createRequire } from "node:module";
import type { MiddlewareHandler } from "hono";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "./context.ts";

export type RateTier = "anonymous" | "user" | "agent";

export interface RateLimiter {
  consume(
    key: string,
    kind: RateTier,
  ): Promise<{ allowed: boolean; limit: number; remaining: number; resetSeconds: number }>;
  close(): Promise<void>;
  /**
   * A counter of `points` per `durationSeconds` in the same store (Redis when configured, so
   * all forge processes share it; memory otherwise), for limits beside the request tiers.
   */
  counter(prefix: string, points: number, durationSeconds: number): RateLimiterAbstract;
  /** Settles once the store is usable (Redis connected, or after a short wait). */
  ready: Promise<void>;
}

export function createRateLimiter(opts: {
  anonymousPerMinute: number;
  userPerMinute: number;
  /** Defaults to the signed-in allowance. */
  agentPerMinute?: number;
  redisUrl?: string;
}): RateLimiter {
  // ioredis loads only when Redis is configured (createRequire: this function is synchronous).
  const redis = opts.redisUrl
    ? new (createRequire(import.meta.url)("ioredis") as typeof import("ioredis")).Redis(opts.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      })
    : null;
  // Until Redis answers, counts go to the in-memory insurance limiter; wait briefly at start.
  const ready = redis
    ? new Promise<void>((resolve) => {
        const done = () => resolve();
        redis.once("ready", done);
        setTimeout(done, 5000).unref();
      })
    : Promise.resolve();
  const make = (points: number, prefix: string, duration = 60): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points,
          duration,
          keyPrefix: `micelio:rl:${prefix}`,
          insuranceLimiter: new RateLimiterMemory({ points, duration }),
        })
      : new RateLimiterMemory({ points, duration, keyPrefix: prefix });
  const limiters = {
    anonymous: make(opts.anonymousPerMinute, "anon"),
    user: make(opts.userPerMinute, "user"),
    agent: make(opts.agentPerMinute ?? opts.userPerMinute, "agent"),
  };
  const limits = {
    anonymous: opts.anonymousPerMinute,
    user: opts.userPerMinute,
    agent: opts.agentPerMinute ?? opts.userPerMinute,
  };
  return {
    ready,
    counter: (prefix, points, durationSeconds) => make(points, prefix, durationSeconds),
    async consume(key, kind) {
      try {
        const r = await limiters[kind].consume(key);
        return {
          allowed: true,
          limit: limits[kind],
          remaining: r.remainingPoints,
          resetSeconds: Math.ceil(r.msBeforeNext / 1000),
        };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          return {
            allowed: false,
            limit: limits[kind],
            remaining: 0,
            resetSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
          };
        }
        throw err;
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}

/** Applies the limiter after authentication, so signed-in requests count against the account. */
export const rateLimit = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const viewer = c.get("viewer");
  const kind: RateTier = viewer.user ? (viewer.agent ? "agent" : "user") : "anonymous";
  const key = viewer.user ? viewer.user.id : viewer.ip || "unknown";
  const r = await c.get("forge").limiter.consume(key, kind);
  const headers = {
    "RateLimit-Limit": String(r.limit),
    "RateLimit-Remaining": String(r.remaining),
    "RateLimit-Reset": String(r.resetSeconds),
    "RateLimit-Policy": `${r.limit};w=60`,
    "RateLimit-Tier": kind,
  };
  if (!r.allowed) {
    throw new AppError("rate_limited", `Too many requests; try again in ${r.resetSeconds} seconds`, {
      headers: { ...headers, "Retry-After": String(r.resetSeconds) },
    });
  }
  await next();
  for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
};
