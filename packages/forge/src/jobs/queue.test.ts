import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/db.ts";
import { claimJobs, completeJob, failJob } from "./claim.ts";
import {
  countByState,
  deleteCompletedOlderThan,
  enqueue,
  enqueueUnless,
  getJob,
  listJobs,
  retryDead,
} from "./queue.ts";
import { type JobsTestDatabase, jobsTestDatabase } from "./test-support.ts";

describe("job queue", () => {
  let t: JobsTestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await jobsTestDatabase();
    db = t.handle.db;
  });
  afterAll(() => t.cleanup());

  /** Claims and completes the given job (and nothing else that happens to be ready). */
  async function finish(id: number) {
    await db
      .updateTable("jobs")
      .set({ run_at: sql`now() + interval '1 day'` })
      .where("id", "!=", id)
      .execute();
    const [job] = await claimJobs(db, "test", 1);
    expect(job.id).toBe(id);
    expect(await completeJob(db, job, "test")).toBe(true);
  }

  it("enqueues a job with its payload and defaults", async () => {
    const id = await enqueue(db, "greet", { name: "ada", n: 1 });
    const job = await getJob(db, id);
    expect(job).toMatchObject({
      kind: "greet",
      payload: { name: "ada", n: 1 },
      state: "available",
      attempts: 0,
      max_attempts: 5,
      unique_key: null,
    });
    expect(await enqueue(db, "greet", {}, { maxAttempts: 2 })).toBeGreaterThan(id);
    await expect(enqueue(db, "greet", {}, { maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
    await expect(enqueue(db, "", {})).rejects.toThrow(/kind/);
  });

  it("schedules with runAt and delayMs", async () => {
    const at = new Date(Date.now() + 3_600_000);
    const a = await getJob(db, await enqueue(db, "later", {}, { runAt: at }));
    expect(a!.run_at.getTime()).toBe(at.getTime());
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
    const b = await getJob(db, await enqueue(db, "later", {}, { delayMs: 600_000 }));
    expect(b!.run_at.getTime()).toBeGreaterThanOrEqual(rows[0].now.getTime() + 600_000);
  });

  it("keeps one job per unique key while it is available or running", async () => {
    const a = await enqueue(db, "index", { repo: 1 }, { uniqueKey: "index:1" });
    expect(await enqueue(db, "index", { repo: 1 }, { uniqueKey: "index:1" })).toBe(a);
    expect(await enqueue(db, "index", { repo: 2 }, { uniqueKey: "index:2" })).not.toBe(a);
    await finish(a);
    const b = await enqueue(db, "index", { repo: 1 }, { uniqueKey: "index:1" });
    expect(b).not.toBe(a);
    expect((await getJob(db, b))!.state).toBe("available");
  });

  it("with uniqueScope all, also dedupes against finished jobs", async () => {
    const a = await enqueue(db, "tick", {}, { uniqueKey: "slot:1", uniqueScope: "all" });
    expect(await enqueue(db, "tick", {}, { uniqueKey: "slot:1", uniqueScope: "all" })).toBe(a);
    await finish(a);
    expect(await enqueue(db, "tick", {}, { uniqueKey: "slot:1", uniqueScope: "all" })).toBe(a);
    // The default scope only looks at active jobs.
    expect(await enqueue(db, "tick", {}, { uniqueKey: "slot:1" })).not.toBe(a);
  });

  it("enqueueUnless adds no job while its condition holds, checked in the insert itself", async () => {
    await sql`CREATE TABLE IF NOT EXISTS unless_done (k text PRIMARY KEY)`.execute(db);
    const done = sql`EXISTS (SELECT 1 FROM unless_done WHERE k = 'r')`;
    const a = await enqueueUnless(db, "sum", {}, { uniqueKey: "sum:r" }, done);
    expect(a).not.toBeNull();
    // The job records its result and completes: a caller that read "no result" before gets nothing.
    await sql`INSERT INTO unless_done (k) VALUES ('r')`.execute(db);
    await finish(a!);
    expect(await enqueueUnless(db, "sum", {}, { uniqueKey: "sum:r" }, done)).toBeNull();
    expect(
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE kind = 'sum'`.execute(db)).rows[0]!
        .n,
    ).toBe(1);
    // While the job is still active, its id comes back as with enqueue().
    const b = await enqueueUnless(db, "sum2", {}, { uniqueKey: "sum:s" }, sql`false`);
    expect(await enqueueUnless(db, "sum2", {}, { uniqueKey: "sum:s" }, sql`false`)).toBe(b);
    await sql`DROP TABLE unless_done`.execute(db);
  });

  it("gives one job for a unique key enqueued concurrently, from separate pools too", async () => {
    const other = (await t.openAnother()).db;
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        enqueue(i % 2 ? db : other, "race", { i }, { uniqueKey: "race:1" }),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    const rows = await db.selectFrom("jobs").select("id").where("unique_key", "=", "race:1").execute();
    expect(rows).toHaveLength(1);
  });

  it("enqueues inside the caller's transaction", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueue(trx, "txn", { v: "rolled back" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const id = await db
      .transaction()
      .execute((trx) => enqueue(trx, "txn", { v: "kept" }, { uniqueKey: "txn" }));
    const jobs = await listJobs(db, { kind: "txn" });
    expect(jobs.map((j) => [j.id, j.payload.v])).toEqual([[id, "kept"]]);
  });

  it("lists, counts, retries dead jobs and prunes completed ones", async () => {
    await db.deleteFrom("jobs").execute();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await enqueue(db, "admin", { i }, { maxAttempts: 1 }));
    expect((await listJobs(db, { limit: 2 })).map((j) => j.id)).toEqual([ids[4], ids[3]]);
    expect((await listJobs(db, { limit: 2, offset: 2 })).map((j) => j.id)).toEqual([ids[2], ids[1]]);

    const [first, second] = await claimJobs(db, "test", 2);
    expect([first.id, second.id]).toEqual([ids[0], ids[1]]);
    expect(await completeJob(db, first, "test")).toBe(true);
    expect(await failJob(db, second, "test", new Error("disk on fire"), 0)).toBe("dead");
    expect(await countByState(db)).toEqual({ available: 3, running: 0, completed: 1, dead: 1 });
    expect((await listJobs(db, { state: "dead" })).map((j) => [j.id, j.last_error])).toEqual([
      [ids[1], "disk on fire"],
    ]);

    expect(await retryDead(db, ids[0])).toBe(false); // completed, not dead
    expect(await retryDead(db, ids[1])).toBe(true);
    expect(await getJob(db, ids[1])).toMatchObject({ state: "available", attempts: 0, finished_at: null });
    expect(await retryDead(db, ids[1])).toBe(false);

    expect(await deleteCompletedOlderThan(db, new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await deleteCompletedOlderThan(db, new Date(Date.now() + 3_600_000))).toBe(1);
    expect(await countByState(db)).toEqual({ available: 4, running: 0, completed: 0, dead: 0 });
  });

  it("does not retry a dead unique job while its twin is queued", async () => {
    const a = await enqueue(db, "u", {}, { uniqueKey: "twin", maxAttempts: 1 });
    await db
      .updateTable("jobs")
      .set({ run_at: sql`now() + interval '1 day'` })
      .where("id", "!=", a)
      .execute();
    const [job] = await claimJobs(db, "test", 1);
    expect(await failJob(db, job, "test", "nope", 0)).toBe("dead");
    const b = await enqueue(db, "u", {}, { uniqueKey: "twin" });
    expect(b).not.toBe(a);
    expect(await retryDead(db, a)).toBe(false);
    await db.deleteFrom("jobs").where("id", "=", b).execute();
    expect(await retryDead(db, a)).toBe(true);
  });
});
