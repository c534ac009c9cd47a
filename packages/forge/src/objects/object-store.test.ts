// Both object stores against the same expectations: the local directory, and the S3 store
// against a real S3-compatible server (s3rver, speaking the S3 REST protocol on loopback).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.ts";
import { startTestForge } from "../testing/forge.ts";
import { checkObjectKey, localObjectStore, type ObjectStore } from "./object-store.ts";
import { pruneObjects } from "./prune.ts";
import { s3ObjectStore } from "./s3-object-store.ts";

const root = mkdtempSync(join(tmpdir(), "micelio-objects-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function behavesLikeAnObjectStore(open: () => ObjectStore) {
  it("keeps, reads, overwrites and deletes objects", async () => {
    const store = open();
    expect(await store.get("og/a.png")).toBeNull();
    expect(await store.has("og/a.png")).toBe(false);
    await store.put("og/a.png", Buffer.from([1, 2, 3, 0, 255]));
    expect([...((await store.get("og/a.png")) ?? [])]).toEqual([1, 2, 3, 0, 255]);
    await store.put("og/a.png", "second");
    expect((await store.get("og/a.png"))?.toString()).toBe("second");
    expect(await store.has("og/a.png")).toBe(true);
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.put("og/b.png", `writer ${i}`)));
    expect((await store.get("og/b.png"))?.toString()).toMatch(/^writer \d$/);
    await store.delete("og/a.png");
    await store.delete("og/a.png");
    expect(await store.get("og/a.png")).toBeNull();
    expect(await store.has("og/a.png")).toBe(false);
    expect((await store.get("og/b.png"))?.toString()).toMatch(/^writer \d$/);
  });

  it("refuses keys that could leave its namespace", async () => {
    const store = open();
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "a//b", "", ".hidden", "a/..", "a\\b", "a/b\0"]) {
      await expect(store.put(bad, "x"), bad).rejects.toThrow(/invalid object key/);
      await expect(store.get(bad), bad).rejects.toThrow(/invalid object key/);
    }
  });

  it("lists what a prefix holds, with when each was written, and prunes the old ones", async () => {
    const store = open();
    const start = Date.now() - 60_000;
    await store.put("pr/og/project/a.png", "a");
    await store.put("pr/og/user/b.png", "b");
    await store.put("pr/themes/t.json", "{}");
    const listed = [];
    for await (const o of store.list("pr/og/")) listed.push(o);
    expect(listed.map((o) => o.key).sort()).toEqual(["pr/og/project/a.png", "pr/og/user/b.png"]);
    for (const o of listed) expect(o.modified.getTime()).toBeGreaterThan(start);
    const none = [];
    for await (const o of store.list("pr/nothing/")) none.push(o);
    expect(none).toEqual([]);
    for (const bad of ["pr/og", "../", "/", "a//"])
      await expect(store.list(bad)[Symbol.asyncIterator]().next(), bad).rejects.toThrow(/invalid object/);
    await expect(pruneObjects(store, "pr/og", new Date())).rejects.toThrow(/invalid object prefix/);
    expect(await pruneObjects(store, "pr/og/", new Date(start))).toBe(0); // all newer than that
    expect(await pruneObjects(store, "pr/og/", new Date(Date.now() + 60_000))).toBe(2);
    expect(await store.has("pr/og/project/a.png")).toBe(false);
    expect(await store.has("pr/themes/t.json")).toBe(true); // outside the prefix
  });
}

describe("local object store", () => {
  const dir = join(root, "local");
  behavesLikeAnObjectStore(() => localObjectStore(dir));

  it("prunes by the time a file was written, skipping writes in progress", async () => {
    const store = localObjectStore(dir);
    await store.put("old/og/x.png", "x");
    await store.put("old/og/y.png", "y");
    const day = 86_400_000;
    const then = new Date(Date.now() - 40 * day);
    await utimes(join(dir, "old", "og", "x.png"), then, then);
    writeFileSync(join(dir, "old", "og", "z.png.abc.tmp"), "half");
    expect(await pruneObjects(store, "old/og/", new Date(Date.now() - 30 * day))).toBe(1);
    expect(await store.has("old/og/x.png")).toBe(false);
    expect(await store.has("old/og/y.png")).toBe(true);
    expect(readdirSync(join(dir, "old", "og")).sort()).toEqual(["y.png", "z.png.abc.tmp"]);
  });

  it("leaves no temporary files behind", async () => {
    const store = localObjectStore(dir);
    await store.put("t/one", "1");
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.put("t/two", `${i}`)));
    expect(readdirSync(join(dir, "t")).sort()).toEqual(["one", "two"]);
  });
});

describe("S3 object store", () => {
  let server: S3rver;
  let endpoint = "";
  beforeAll(async () => {
    server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: join(root, "s3"),
      configureBuckets: [{ name: "micelio", configs: [] }],
    });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server?.close();
  });
  const open = () =>
    s3ObjectStore({
      bucket: "micelio",
      endpoint,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
      prefix: "forge-1/",
    });
  behavesLikeAnObjectStore(open);

  it("keeps its objects under the prefix, apart from another forge's", async () => {
    const a = open();
    const b = s3ObjectStore({ ...a.settings, prefix: "forge-2/" });
    await a.put("themes/x.json", "a");
    expect(await b.get("themes/x.json")).toBeNull();
    await b.put("themes/x.json", "b");
    expect((await a.get("themes/x.json"))?.toString()).toBe("a");
  });

  it("is the forge's store when MICELIO_S3_BUCKET is set", async () => {
    const env = {
      MICELIO_S3_BUCKET: "micelio",
      MICELIO_S3_ENDPOINT: endpoint,
      MICELIO_S3_ACCESS_KEY_ID: "S3RVER",
      MICELIO_S3_SECRET_ACCESS_KEY: "S3RVER",
      MICELIO_S3_PREFIX: "forge-3/",
    };
    expect(loadConfig(env).s3).toMatchObject({ bucket: "micelio", forcePathStyle: true, prefix: "forge-3/" });
    expect(() => loadConfig({ ...env, MICELIO_S3_PREFIX: "no-slash" })).toThrow(/MICELIO_S3_PREFIX/);
    const f = await startTestForge(env);
    try {
      await f.forge.objects.put("themes/wired.json", "{}");
      expect(await open().get("themes/wired.json")).toBeNull();
      const direct = s3ObjectStore({ ...open().settings, prefix: "forge-3/" });
      expect((await direct.get("themes/wired.json"))?.toString()).toBe("{}");
    } finally {
      await f.close();
    }
  });

  it("fails loudly when the bucket is missing rather than answering 'no such object'", async () => {
    const bad = s3ObjectStore({ ...open().settings, bucket: "nosuchbucket" });
    await expect(bad.get("og/b.png")).rejects.toThrow(/bucket/i);
    await expect(bad.put("og/b.png", "x")).rejects.toThrow(/bucket/i);
  });
});

describe("object keys", () => {
  it("every accepted key stays inside the root and has no dot-dot segment (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const key = parts.join("/");
        let ok = true;
        try {
          checkObjectKey(key);
        } catch {
          ok = false;
        }
        if (ok) {
          expect(join(root, ...key.split("/")).startsWith(`${root}/`)).toBe(true);
          expect(key.split("/")).not.toContain("..");
        }
      }),
    );
  });
});
