// The hourly housekeeping job on a real database and object store: old Open Graph pictures
// go, recent ones and other objects stay; completed jobs older than a week go.
import { mkdtempSync, rmSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../jobs/index.ts";
import { localObjectStore } from "../objects/object-store.ts";
import { testDatabase } from "../testing/database.ts";
import { MAINTENANCE_JOB, maintenanceHandlers, OG_MAX_AGE_DAYS } from "./maintenance.ts";

describe("maintenance", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-maintenance-"));
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase({ template: true });
  });
  afterAll(async () => {
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("deletes pictures drawn long ago and old completed jobs, and nothing else", async () => {
    const objects = localObjectStore(join(dir, "objects"));
    const old = new Date(Date.now() - (OG_MAX_AGE_DAYS + 1) * 86_400_000);
    for (const key of ["og/project/old.png", "og/project/new.png", "themes/2020-01-01.json"])
      await objects.put(key, "x");
    for (const key of ["og/project/old.png", "themes/2020-01-01.json"])
      await utimes(join(dir, "objects", ...key.split("/")), old, old);
    const done = await enqueue(db.handle.db, "some.kind", {});
    const recent = await enqueue(db.handle.db, "some.kind", {});
    await db.handle.db
      .updateTable("jobs")
      .set({ state: "completed", finished_at: new Date(Date.now() - 8 * 86_400_000) })
      .where("id", "=", done)
      .execute();
    await db.handle.db
      .updateTable("jobs")
      .set({ state: "completed", finished_at: new Date() })
      .where("id", "=", recent)
      .execute();

    const run = maintenanceHandlers(db.handle.db, dir, objects)[MAINTENANCE_JOB]!;
    await run({}, { job: {} as never, attempt: 1, signal: new AbortController().signal });

    expect(await objects.has("og/project/old.png")).toBe(false);
    expect(await objects.has("og/project/new.png")).toBe(true);
    expect(await objects.has("themes/2020-01-01.json")).toBe(true);
    const left = await db.handle.db.selectFrom("jobs").select("id").where("kind", "=", "some.kind").execute();
    expect(left.map((j) => j.id)).toEqual([recent]);
  });
});
