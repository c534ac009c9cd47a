import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { checkObjectKey, localObjectStore } from "./object-store.ts";

describe("local object store", () => {
  const root = mkdtempSync(join(tmpdir(), "micelio-objects-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const store = localObjectStore(root);

  it("keeps, reads, overwrites and deletes objects, leaving no temporary files", async () => {
    expect(await store.get("og/a.png")).toBeNull();
    expect(await store.has("og/a.png")).toBe(false);
    await store.put("og/a.png", Buffer.from([1, 2, 3]));
    await store.put("og/a.png", "second");
    expect((await store.get("og/a.png"))?.toString()).toBe("second");
    expect(await store.has("og/a.png")).toBe(true);
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.put("og/b.png", `writer ${i}`)));
    expect((await store.get("og/b.png"))?.toString()).toMatch(/^writer \d$/);
    expect(readdirSync(join(root, "og")).sort()).toEqual(["a.png", "b.png"]);
    await store.delete("og/a.png");
    await store.delete("og/a.png");
    expect(await store.get("og/a.png")).toBeNull();
  });

  it("refuses keys that could leave its directory", async () => {
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "a//b", "", ".hidden", "a/..", "a\\b", "a/b\0"]) {
      expect(() => checkObjectKey(bad), bad).toThrow(/invalid object key/);
      await expect(store.put(bad, "x"), bad).rejects.toThrow(/invalid object key/);
    }
  });

  it("maps every accepted key inside the root (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const key = parts.join("/");
        let ok = true;
        try {
          checkObjectKey(key);
        } catch {
          ok = false;
        }
        if (ok) expect(join(root, ...key.split("/")).startsWith(`${root}/`)).toBe(true);
        if (ok) expect(key.split("/")).not.toContain("..");
      }),
    );
  });
});
