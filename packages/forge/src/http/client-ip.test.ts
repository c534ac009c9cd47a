// The client address behind a trusted proxy: the hop the proxy added to X-Forwarded-For
// (the Nth from the right, or the first not among the proxies' CIDRs), never the leftmost
// entry the client wrote itself; and through a real forge, the anonymous rate limit and the
// audit log see the proxy-added address when the client spoofs the header.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { normalizeAddress, parseTrustProxy, resolveClientIp } from "./client-ip.ts";

describe("resolveClientIp", () => {
  const none = parseTrustProxy(undefined);
  const one = parseTrustProxy("1");
  const two = parseTrustProxy("2");
  const cidrs = parseTrustProxy("10.0.0.0/8, 127.0.0.1, fd00::/8");

  it("ignores X-Forwarded-For unless a proxy is trusted", () => {
    expect(resolveClientIp(none, "198.51.100.1", "6.6.6.6")).toBe("198.51.100.1");
    expect(resolveClientIp(parseTrustProxy("0"), "198.51.100.1", "6.6.6.6")).toBe("198.51.100.1");
  });

  it("takes the Nth address from the right with a hop count", () => {
    expect(resolveClientIp(one, "10.0.0.2", "6.6.6.6, 203.0.113.9")).toBe("203.0.113.9");
    expect(resolveClientIp(two, "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3")).toBe("203.0.113.9");
    expect(resolveClientIp(two, "10.0.0.2", "203.0.113.9")).toBe("203.0.113.9");
    expect(resolveClientIp(one, "10.0.0.2", undefined)).toBe("10.0.0.2");
    expect(resolveClientIp(one, "10.0.0.2", " , ")).toBe("10.0.0.2");
  });

  it("skips trusted proxies given as CIDRs, starting from the socket peer", () => {
    expect(resolveClientIp(cidrs, "127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3")).toBe("203.0.113.9");
    expect(resolveClientIp(cidrs, "::ffff:127.0.0.1", "6.6.6.6, 203.0.113.9")).toBe("203.0.113.9");
    expect(resolveClientIp(cidrs, "127.0.0.1", "2001:db8::1, fd00::5")).toBe("2001:db8::1");
    // A peer that is not a trusted proxy is the client, whatever it claims.
    expect(resolveClientIp(cidrs, "198.51.100.1", "6.6.6.6")).toBe("198.51.100.1");
    // Every hop trusted: the leftmost.
    expect(resolveClientIp(cidrs, "127.0.0.1", "10.9.9.9, 10.1.1.1")).toBe("10.9.9.9");
  });

  it("reads addresses with ports, brackets and IPv4 mapping", () => {
    expect(normalizeAddress(" 203.0.113.9:4711 ")).toBe("203.0.113.9");
    expect(normalizeAddress("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(normalizeAddress("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(normalizeAddress("2001:db8::1")).toBe("2001:db8::1");
  });

  it("refuses a setting that is neither a hop count nor addresses", () => {
    expect(() => parseTrustProxy("yes")).toThrow(/MICELIO_TRUST_PROXY/);
    expect(() => parseTrustProxy("10.0.0.0/40")).toThrow(/prefix/);
  });
});

describe("behind a trusted proxy, a spoofed X-Forwarded-For", () => {
  let forge: TestForge;
  const previous = process.env.MICELIO_TRUST_PROXY;
  beforeAll(async () => {
    process.env.MICELIO_TRUST_PROXY = "1";
    forge = await startTestForge({ MICELIO_RATE_LIMIT_ANON: "3" });
  });
  afterAll(async () => {
    await forge?.close();
    if (previous === undefined) delete process.env.MICELIO_TRUST_PROXY;
    else process.env.MICELIO_TRUST_PROXY = previous;
  });

  it("counts the proxy-added address against the anonymous rate limit and audits it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // The client writes a fresh address at the left; the proxy appends the one it saw.
      const res = await api(forge.url, "GET", "/api/v1/users/nobody", {
        headers: { "x-forwarded-for": `6.6.6.${i + 1}, 203.0.113.9` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);

    const signup = await api(forge.url, "POST", "/api/v1/signup", {
      json: { handle: "proxied", email: "proxied@example.test", password: "proxied-password" },
      headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.10" },
    });
    expect(signup.status).toBeLessThan(300);
    const audit = await forge.forge.db
      .selectFrom("audit_log")
      .select("ip")
      .where("action", "=", "account.create")
      .executeTakeFirstOrThrow();
    expect(audit.ip).toBe("203.0.113.10");
  });
});
