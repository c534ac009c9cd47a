import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Account } from "../db/schema.ts";
import { type TokenAuth, TokenCache } from "./token-cache.ts";

const auth = (userId: string): TokenAuth => ({
  user: { id: userId } as Account,
  scopes: ["project:read"],
  tokenId: `t-${userId}`,
  agent: false,
  expiresAt: null,
  usedAt: null,
  projects: null,
});
const db = {};

describe("TokenCache", () => {
  it("never holds more than its cap, keeping the most recently used", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 300 }),
        (cap, ops) => {
          const cache = new TokenCache(cap);
          const recent: string[] = []; // model: keys by last use, newest last
          for (const [write, n] of ops) {
            const key = `h${n}`;
            if (write) cache.set(key, auth(`u${n}`), db, cache.generation);
            const hit = write || cache.get(key, db) !== undefined;
            if (!write && hit) cache.get(key, db);
            if (hit) {
              const i = recent.indexOf(key);
              if (i >= 0) recent.splice(i, 1);
              recent.push(key);
              if (recent.length > cap) recent.shift();
            }
            expect(cache.size).toBeLessThanOrEqual(cap);
          }
          for (const key of recent) expect(cache.get(key, db)).toBeDefined();
        },
      ),
    );
  });

  it("forgets an account's entries, and a lookup begun before that is not kept", () => {
    const cache = new TokenCache(100);
    cache.set("a1", auth("ada"), db, cache.generation);
    cache.set("a2", auth("ada"), db, cache.generation);
    cache.set("b1", auth("bob"), db, cache.generation);
    const before = cache.generation; // a read of "a3" starts here…
    cache.forgetUser("ada");
    cache.set("a3", auth("ada"), db, before); // …and ends after the revocation: dropped
    expect(cache.get("a1", db)).toBeUndefined();
    expect(cache.get("a2", db)).toBeUndefined();
    expect(cache.get("a3", db)).toBeUndefined();
    expect(cache.get("b1", db)?.user.id).toBe("bob");
    cache.clear();
    expect(cache.get("b1", db)).toBeUndefined();
  });

  it("answers only for the database it read from, and not after its time to live", () => {
    const cache = new TokenCache(100, 1000);
    cache.set("a", auth("ada"), db, cache.generation, 0);
    expect(cache.get("a", {}, 10)).toBeUndefined();
    expect(cache.get("a", db, 10)).toBeDefined();
    expect(cache.get("a", db, 1001)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps nothing with a cap of 0", () => {
    const cache = new TokenCache(0);
    cache.set("a", auth("ada"), db, cache.generation);
    expect(cache.get("a", db)).toBeUndefined();
  });
});
