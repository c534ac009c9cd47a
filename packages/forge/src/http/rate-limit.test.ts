// Request rate limits: per IP for anonymous requests, per account for signed-in ones, with
// RateLimit-* headers on every answer and 429 problem+json with Retry-After beyond the limit;
// in process memory, and in Redis shared by several forge processes. Requests are sent from a
// random loopback source address (127.x.y.z) so each run has its own anonymous counter.
import { request } from "node:http";
import { ulid } from "@micelio/core/ulid";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../accounts/secrets.ts";
import type { Db } from "../db/db.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { TOKEN_PREFIX } from "../tokens/tokens-service.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET sent from `localAddress`, so the forge sees that client IP. */
function get(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const randomLoopback = () =>
  `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const num = (a: Answer, h: string) => Number(a.headers[h.toLowerCase()]);

/** Adds a user with a bearer token straight to the database (no requests, so no points spent). */
async function seedUser(db: Db, id: string, handle: string, secret: string) {
  await db
    .insertInto("accounts")
    .values({ id, kind: "user", handle, email: `${handle}@example.test`, password_hash: null })
    .execute();
  await db
    .insertInto("api_tokens")
    .values({
      id: ulid(),
      user_id: id,
      name: "rate",
      token_hash: sha256(secret),
      prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
      scopes: ["project:read"],
      expires_at: null,
      last_used_at: null,
    })
    .execute();
}

function expectLimited(a: Answer, limit: number) {
  expect(a.status).toBe(429);
  const retry = num(a, "Retry-After");
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(60);
  expect(num(a, "RateLimit-Limit")).toBe(limit);
  expect(num(a, "RateLimit-Remaining")).toBe(0);
  expect(num(a, "RateLimit-Reset")).toBeGreaterThanOrEqual(1);
  expect(a.headers["content-type"]).toContain("application/problem+json");
  const problem = JSON.parse(a.body);
  expect(problem).toMatchObject({ status: 429, title: "Too many requests" });
  expect(problem.detail).toMatch(/try again/i);
}

describe("rate limits in process memory", () => {
  const ANON = 5;
  const USER = 8;
  let f: TestForge;
  const ip = randomLoopback();
  const secret = `${TOKEN_PREFIX}rate-memory-${ulid()}`;

  beforeAll(async () => {
    f = await startTestForge({
      MICELIO_RATE_LIMIT_ANON: String(ANON),
      MICELIO_RATE_LIMIT_USER: String(USER),
    });
    await seedUser(f.forge.db, ulid(), "rita", secret);
  });
  afterAll(() => f.close());

  it("lets an IP make ANON anonymous requests with decreasing RateLimit-Remaining, then answers 429", async () => {
    const remaining: number[] = [];
    for (let i = 0; i < ANON; i++) {
      const r = await get(`${f.url}/api/v1/projects`, ip);
      expect(r.status, `request ${i + 1}`).toBe(200);
      expect(num(r, "RateLimit-Limit")).toBe(ANON);
      expect(num(r, "RateLimit-Reset")).toBeGreaterThanOrEqual(1);
      expect(r.headers["ratelimit-policy"]).toBe(`${ANON};w=60`);
      remaining.push(num(r, "RateLimit-Remaining"));
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expectLimited(await get(`${f.url}/api/v1/projects`, ip), ANON);
    // Web pages share the same counter.
    const page = await get(`${f.url}/login`, ip, { accept: "text/html" });
    expect(page.status).toBe(429);
    expect(page.headers["retry-after"]).toBeDefined();
    // Health checks are not limited.
    expect((await get(`${f.url}/health`, ip)).status).toBe(200);
  });

  it("counts signed-in requests per account: a token user gets through from a limited IP, up to USER", async () => {
    const auth = { authorization: `Bearer ${secret}` };
    const remaining: number[] = [];
    for (let i = 0; i < USER; i++) {
      const r = await get(`${f.url}/api/v1/user`, ip, auth);
      expect(r.status, `request ${i + 1}`).toBe(200);
      expect(num(r, "RateLimit-Limit")).toBe(USER);
      remaining.push(num(r, "RateLimit-Remaining"));
    }
    expect(remaining).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expectLimited(await get(`${f.url}/api/v1/user`, ip, auth), USER);
    // The account's limit follows it to any address.
    expect((await get(`${f.url}/api/v1/user`, randomLoopback(), auth)).status).toBe(429);
    // Another address, anonymous, is counted separately.
    const fresh = await get(`${f.url}/api/v1/projects`, randomLoopback());
    expect(fresh.status).toBe(200);
    expect(num(fresh, "RateLimit-Remaining")).toBe(ANON - 1);
  });

  it("counts failed Basic-auth attempts against the client's anonymous limit", async () => {
    const from = randomLoopback();
    const wrong = { authorization: `Basic ${Buffer.from("nobody:wrong-password").toString("base64")}` };
    for (let i = 0; i < ANON; i++) {
      expect((await get(`${f.url}/api/v1/user`, from, wrong)).status).toBe(401);
    }
    expectLimited(await get(`${f.url}/api/v1/user`, from, wrong), ANON);
  });
});

/** Resolves whether Redis answers at REDIS_URL (the Redis suite skips itself otherwise). */
async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
const redisUp = await redisAvailable();

describe.skipIf(!redisUp)(`rate limits in Redis (${REDIS_URL}), shared by two forges`, () => {
  const ANON = 6;
  const USER = 4;
  let a: TestForge;
  let b: TestForge;
  let redis: Redis;
  const ip = randomLoopback();
  const userId = ulid();
  const secret = `${TOKEN_PREFIX}rate-redis-${ulid()}`;
  const keys = [`micelio:rl:anon:${ip}`, `micelio:rl:user:${userId}`];
  const warmIps: string[] = [];

  /** Waits until a forge's limiter talks to Redis (before that it falls back to memory). */
  async function untilRedisCounts(f: TestForge) {
    const warm = randomLoopback();
    warmIps.push(warm);
    for (let i = 0; i < ANON - 1; i++) {
      expect((await get(`${f.url}/api/v1/projects`, warm)).status).toBe(200);
      if (await redis.exists(`micelio:rl:anon:${warm}`)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the forge never counted in Redis");
  }

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    await redis.del(...keys);
    const env = {
      REDIS_URL,
      MICELIO_RATE_LIMIT_ANON: String(ANON),
      MICELIO_RATE_LIMIT_USER: String(USER),
      MICELIO_LOGIN_MAX_FAILURES: "2",
    };
    a = await startTestForge(env);
    b = await startTestForge(env);
    // Each forge has its own database; the same account and token exist in both.
    await seedUser(a.forge.db, userId, "rhea", secret);
    await seedUser(b.forge.db, userId, "rhea", secret);
    await untilRedisCounts(a);
    await untilRedisCounts(b);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    if (redis) {
      await redis.del(...keys, ...warmIps.map((w) => `micelio:rl:anon:${w}`));
      redis.disconnect();
    }
  });

  it("counts anonymous requests split across both forges together, then answers 429 on both", async () => {
    const remaining: number[] = [];
    for (let i = 0; i < ANON; i++) {
      const r = await get(`${(i % 2 === 0 ? a : b).url}/api/v1/projects`, ip);
      expect(r.status, `request ${i + 1}`).toBe(200);
      expect(num(r, "RateLimit-Limit")).toBe(ANON);
      remaining.push(num(r, "RateLimit-Remaining"));
    }
    expect(remaining).toEqual([5, 4, 3, 2, 1, 0]);
    expect(Number(await redis.get(keys[0]))).toBe(ANON);
    expectLimited(await get(`${a.url}/api/v1/projects`, ip), ANON);
    expectLimited(await get(`${b.url}/api/v1/projects`, ip), ANON);
    expect(await redis.pttl(keys[0])).toBeGreaterThan(0);
  });

  it("counts an account's requests across both forges together, apart from its IP", async () => {
    const auth = { authorization: `Bearer ${secret}` };
    const remaining: number[] = [];
    for (let i = 0; i < USER; i++) {
      const r = await get(`${(i % 2 === 0 ? b : a).url}/api/v1/user`, ip, auth);
      expect(r.status, `request ${i + 1}`).toBe(200);
      expect(num(r, "RateLimit-Limit")).toBe(USER);
      remaining.push(num(r, "RateLimit-Remaining"));
    }
    expect(remaining).toEqual([3, 2, 1, 0]);
    expectLimited(await get(`${a.url}/api/v1/user`, ip, auth), USER);
    expectLimited(await get(`${b.url}/api/v1/user`, randomLoopback(), auth), USER);
  });

  it("counts failed passwords for a login name across both forges together", async () => {
    const login = `ghost-${ulid().toLowerCase()}`;
    keys.push(`micelio:rl:login-name:${login}`);
    const basic = { authorization: `Basic ${Buffer.from(`${login}:wrong-password`).toString("base64")}` };
    expect((await get(`${a.url}/api/v1/user`, randomLoopback(), basic)).status).toBe(401);
    expect((await get(`${b.url}/api/v1/user`, randomLoopback(), basic)).status).toBe(401);
    expect(Number(await redis.get(`micelio:rl:login-name:${login}`))).toBe(2);
    // Both forges now refuse the name before checking any password.
    for (const f of [a, b]) {
      const r = await get(`${f.url}/api/v1/user`, randomLoopback(), basic);
      expect(r.status).toBe(429);
      expect(num(r, "Retry-After")).toBeGreaterThan(0);
    }
  });
});
