// PGlite in a data directory: a new directory is initialized (in a child process) and then
// reopened with the same data; the small-process settings are in effect.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "./pglite-open.ts";

describe("openPglite", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-pglite-open-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("initializes a new data directory, keeps its data across reopening, and uses small buffers", async () => {
    const data = join(dir, "db");
    const first = await openPglite({ dir: data });
    await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await first.close();
    const second = await openPglite({ dir: data });
    try {
      expect((await second.query<{ v: string }>("SELECT v FROM kept")).rows).toEqual([{ v: "still here" }]);
      const buffers = await second.query<{ shared_buffers: string }>("SHOW shared_buffers");
      expect(buffers.rows[0].shared_buffers).toBe("16MB");
      await second.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm");
      expect(
        (await second.query<{ s: number }>("SELECT similarity('micelio', 'micelo') > 0.3 AS s")).rows[0].s,
      ).toBe(true);
    } finally {
      await second.close();
    }
  });
});
