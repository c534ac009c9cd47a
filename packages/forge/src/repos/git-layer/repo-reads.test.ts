// The object cache's cap holds, counting what its entries really keep alive.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const CAP = 256 * 1024;
let reads: typeof import("./repo-reads.ts");
const saved = process.env.MICELIO_OBJECT_CACHE_BYTES;
beforeAll(async () => {
  // A module instance of its own (test files share loaded modules), with a small cap.
  process.env.MICELIO_OBJECT_CACHE_BYTES = String(CAP); // read when the module loads
  vi.resetModules();
  reads = await import("./repo-reads.ts");
});
afterAll(() => {
  if (saved === undefined) delete process.env.MICELIO_OBJECT_CACHE_BYTES;
  else process.env.MICELIO_OBJECT_CACHE_BYTES = saved;
});

const oidOf = (s: string) => createHash("sha1").update(s).digest("hex");
const repo = { dir: "/tmp/micelio-repo-reads-test.git" };

describe("the object cache", () => {
  it("counts each entry's keeping cost, not only its data (first: nothing is evicted)", () => {
    const before = reads.objectCacheStats();
    reads.rememberObject(repo, { oid: oidOf("tiny"), type: "blob", data: Buffer.from("x") });
    const after = reads.objectCacheStats();
    expect(after.entries).toBe(before.entries + 1);
    expect(after.bytes - before.bytes).toBeGreaterThanOrEqual(400);
  });

  it("never holds more than its cap, however many objects pass through it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 200 }),
        (sizes) => {
          for (const [i, size] of sizes.entries()) {
            const data = Buffer.alloc(size, i % 251);
            reads.rememberObject(repo, { oid: oidOf(`${i}:${size}:${Math.random()}`), type: "blob", data });
            const stats = reads.objectCacheStats();
            expect(stats.maxBytes).toBe(CAP);
            expect(stats.bytes).toBeLessThanOrEqual(CAP);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("keeps a small object's own bytes, not the pool slab or chunk its Buffer is a view on", () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const view = chunk.subarray(100, 130); // 30 bytes of a 64 KiB allocation
    const pooled = Buffer.from("a small blob"); // a slice of Node's 8 KiB pool
    expect(view.buffer.byteLength).toBeGreaterThan(view.length);
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    for (const [name, data] of [
      ["view", view],
      ["pooled", pooled],
    ] as const) {
      const oid = oidOf(name);
      reads.rememberObject(repo, { oid, type: "blob", data });
      const kept = reads.keptObjectData(repo, oid)!;
      expect(kept.equals(data)).toBe(true);
      expect(kept.buffer.byteLength).toBe(data.length);
    }
  });
});
