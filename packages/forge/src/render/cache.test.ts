// The render cache: byte-bounded LRU in memory, a disk tier that survives eviction and a new
// instance, compute-once for concurrent misses, safe file names for hostile keys, and a
// model-based property test of the LRU.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ByteLru, cacheFilePath, createRenderCache } from "./cache.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "render-cache-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

const value = (n: number, c = "x") => c.repeat(n);

describe("memory tier", () => {
  it("evicts the least recently used entries to stay within the byte budget", async () => {
    const cache = createRenderCache({ dir, maxMemoryBytes: 100 });
    await cache.set("a", value(39)); // 40 bytes with its key
    await cache.set("b", value(39));
    expect(await cache.get("a")).toBe(value(39)); // a is now the most recently used
    await cache.set("c", value(39)); // 120 > 100: b goes
    expect(cache.memoryBytes).toBe(80);
    const lru = new ByteLru(100);
    lru.set("a", value(39));
    lru.set("b", value(39));
    lru.get("a");
    lru.set("c", value(39));
    expect([lru.has("a"), lru.has("b"), lru.has("c")]).toEqual([true, false, true]);
  });

  it("counts UTF-8 bytes, and keeps values larger than the budget on disk only", async () => {
    const lru = new ByteLru(10);
    lru.set("k", "é".repeat(4)); // 1 + 8 bytes
    expect(lru.bytes).toBe(9);
    lru.set("big", value(20));
    expect(lru.has("big")).toBe(false);
    expect(lru.has("k")).toBe(true);

    const cache = createRenderCache({ dir, maxMemoryBytes: 10 });
    await cache.set("big", value(50));
    expect(cache.memoryBytes).toBe(0);
    expect(await cache.get("big")).toBe(value(50));
    expect(cache.stats.diskHits).toBe(1);
  });
});

describe("disk tier", () => {
  it("serves a blob from disk after memory eviction, without computing", async () => {
    const cache = createRenderCache({ dir, maxMemoryBytes: 50 });
    let computed = 0;
    const compute = (v: string) => async () => {
      computed++;
      return v;
    };
    expect(await cache.getOrCompute("sha1:blob", compute(value(30, "1")))).toBe(value(30, "1"));
    expect(await cache.getOrCompute("sha2:blob", compute(value(30, "2")))).toBe(value(30, "2")); // evicts sha1
    expect(await cache.getOrCompute("sha1:blob", compute("wrong"))).toBe(value(30, "1"));
    expect(await cache.getOrCompute("sha1:blob", compute("wrong"))).toBe(value(30, "1"));
    expect(computed).toBe(2);
    expect(cache.stats).toMatchObject({ misses: 2, diskHits: 1, memoryHits: 1 });
  });

  it("serves a new cache instance on the same folder from disk", async () => {
    const first = createRenderCache({ dir, maxMemoryBytes: 1000 });
    await first.getOrCompute("abc123:markdown", async () => "<p>hi</p>");
    const second = createRenderCache({ dir, maxMemoryBytes: 1000 });
    const result = await second.getOrCompute("abc123:markdown", async () => {
      throw new Error("must not render again");
    });
    expect(result).toBe("<p>hi</p>");
    expect(second.stats).toMatchObject({ diskHits: 1, misses: 0 });
    expect(await second.get("abc123:other")).toBeUndefined();
    expect(second.stats.misses).toBe(1);
  });

  it("writes atomically: no temp files are left behind", async () => {
    const cache = createRenderCache({ dir, maxMemoryBytes: 1000 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.set(`k${i % 5}`, value(i))));
    const files = await listFiles(dir);
    expect(files).toHaveLength(5);
    expect(files.some((f) => f.endsWith(".tmp"))).toBe(false);
  });

  it("treats an unwritable folder as a cache that only remembers in memory", async () => {
    const cache = createRenderCache({ dir: join(dir, "\0bad"), maxMemoryBytes: 1000 });
    expect(await cache.getOrCompute("k", async () => "v")).toBe("v");
    expect(cache.stats.diskErrors).toBeGreaterThan(0);
    expect(await cache.getOrCompute("k", async () => "other")).toBe("v");
  });
});

describe("getOrCompute", () => {
  it("computes once for concurrent requests of the same key", async () => {
    const cache = createRenderCache({ dir, maxMemoryBytes: 1000 });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const compute = async () => {
      calls++;
      await gate;
      return "rendered";
    };
    const all = Array.from({ length: 10 }, () => cache.getOrCompute("blob:kind", compute));
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await Promise.all(all)).toEqual(Array(10).fill("rendered"));
    expect(calls).toBe(1);
    expect(cache.stats.misses).toBe(1);
  });

  it("caches nothing when compute fails, and every waiter sees the error", async () => {
    const cache = createRenderCache({ dir, maxMemoryBytes: 1000 });
    const failing = async () => {
      throw new Error("boom");
    };
    const results = await Promise.allSettled([
      cache.getOrCompute("k", failing),
      cache.getOrCompute("k", failing),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await cache.getOrCompute("k", async () => "ok")).toBe("ok");
    expect(await listFiles(dir)).toHaveLength(1);
  });
});

describe("hostile keys", () => {
  const keys = [
    "../../etc/passwd",
    "a\0b",
    "/etc/passwd",
    "..",
    ".",
    "",
    "C:\\Windows\\x",
    "x/../../y",
    "é:💥",
  ];

  it("map to hex file names inside the cache folder", () => {
    for (const key of keys) {
      const file = cacheFilePath(dir, key);
      const rel = relative(dir, file);
      expect(rel, JSON.stringify(key)).toMatch(/^[0-9a-f]{2}[/\\][0-9a-f]{64}$/);
    }
  });

  it("round-trip through both tiers and stay distinct", async () => {
    const cache = createRenderCache({ dir, maxMemoryBytes: 1 }); // everything from disk
    for (const key of keys) await cache.set(key, `value of ${JSON.stringify(key)}`);
    for (const key of keys) expect(await cache.get(key)).toBe(`value of ${JSON.stringify(key)}`);
    const files = await listFiles(dir);
    expect(files).toHaveLength(keys.length);
    for (const f of files) expect(f).toMatch(/^[0-9a-f]{2}[/\\][0-9a-f]{64}$/);
  });
});

describe("ByteLru (property)", () => {
  type Op = { kind: "set"; key: string; size: number } | { kind: "get"; key: string };
  const key = fc.constantFrom("a", "b", "c", "d", "e", "ff", "ggg");
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), key, size: fc.nat({ max: 60 }) }),
    fc.record({ kind: fc.constant("get" as const), key }),
  );

  it("matches a simple model, never exceeds its budget, keeps the latest set that fits", () => {
    fc.assert(
      fc.property(fc.nat({ max: 120 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const lru = new ByteLru(max);
        let model: { key: string; bytes: number }[] = []; // least recently used first
        for (const o of ops) {
          if (o.kind === "get") {
            const found = model.find((e) => e.key === o.key);
            expect(lru.get(o.key) !== undefined).toBe(found !== undefined);
            if (found) model = [...model.filter((e) => e !== found), found];
            continue;
          }
          lru.set(o.key, value(o.size));
          const bytes = o.key.length + o.size;
          model = model.filter((e) => e.key !== o.key);
          if (bytes <= max) {
            model.push({ key: o.key, bytes });
            while (model.reduce((n, e) => n + e.bytes, 0) > max) model.shift();
            expect(lru.has(o.key)).toBe(true);
          } else expect(lru.has(o.key)).toBe(false);
          expect(lru.bytes).toBeLessThanOrEqual(max);
          expect(lru.bytes).toBe(model.reduce((n, e) => n + e.bytes, 0));
          expect(lru.size).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
