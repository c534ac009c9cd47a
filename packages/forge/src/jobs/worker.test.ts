import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../db/db.ts";
import { backoffCeiling } from "./backoff.ts";
import { claimJobs } from "./claim.ts";
import { enqueue, getJob } from "./queue.ts";
import { type JobsTestDatabase, jobsTestDatabase, sleep, waitFor } from "./test-support.ts";
import type { JobHandler } from "./types.ts";
import { JobWorker } from "./worker.ts";

describe("JobWorker", () => {
  let t: JobsTestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await jobsTestDatabase();
    db = t.handle.db;
  });
  afterAll(() => t.cleanup());
  beforeEach(async () => {
    await db.deleteFrom("jobs").execute();
  });

  const stateOf = async (id: number) => (await getJob(db, id))?.state;
  const dbNow = async () => (await sql<{ t: Date }>`SELECT clock_timestamp() AS t`.execute(db)).rows[0].t;

  it("runs a job to completion", async () => {
    const seen: unknown[] = [];
    const worker = new JobWorker({
      db,
      pollMs: 20,
      handlers: {
        hello: async (payload, ctx) => {
          seen.push([payload, ctx.attempt, ctx.job.kind]);
        },
      },
    });
    await worker.start();
    try {
      const id = await enqueue(db, "hello", { to: "world" });
      await waitFor(async () => (await stateOf(id)) === "completed", { what: "completion" });
      const job = await getJob(db, id);
      expect(job).toMatchObject({ attempts: 1, last_error: null, locked_by: worker.id });
      expect(job!.finished_at).toBeInstanceOf(Date);
      expect(seen).toEqual([[{ to: "world" }, 1, "hello"]]);
    } finally {
      await worker.stop();
    }
  });

  it("retries a failing job with exponential backoff, then marks it dead", async () => {
    const backoff = { baseMs: 10_000, jitter: 0 };
    const attempts: number[] = [];
    const worker = new JobWorker({
      db,
      backoff,
      handlers: {
        flaky: async (_p, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error(`failure #${ctx.attempt}`);
        },
      },
    });
    const id = await enqueue(db, "flaky", {}, { maxAttempts: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = await dbNow();
      expect(await worker.runOnce()).toBe(1);
      const after = await dbNow();
      const job = (await getJob(db, id))!;
      expect(job.attempts).toBe(attempt);
      expect(job.last_error).toBe(`failure #${attempt}`);
      if (attempt < 3) {
        // run_at = (time of the failure) + backoff(attempt), and the failure happened in [before, after].
        const delay = backoffCeiling(attempt, backoff);
        expect(delay).toBe(10_000 * 2 ** (attempt - 1));
        expect(job.state).toBe("available");
        expect(job.locked_by).toBeNull();
        expect(job.run_at.getTime()).toBeGreaterThanOrEqual(before.getTime() + delay);
        expect(job.run_at.getTime()).toBeLessThanOrEqual(after.getTime() + delay);
        expect(await worker.runOnce()).toBe(0); // not due yet
        await db.updateTable("jobs").set({ run_at: sql`now()` }).where("id", "=", id).execute();
      } else {
        expect(job.state).toBe("dead");
        expect(job.finished_at).toBeInstanceOf(Date);
      }
    }
    expect(attempts).toEqual([1, 2, 3]);
    expect(await worker.runOnce()).toBe(0);
  });

  it("retries on its own with a small backoff until the job is dead", async () => {
    const runs: Date[] = [];
    const worker = new JobWorker({
      db,
      pollMs: 10,
      backoff: { baseMs: 5 },
      handlers: {
        broken: async (_p, ctx) => {
          runs.push(ctx.job.run_at);
          throw new Error("still broken");
        },
      },
    });
    await worker.start();
    try {
      const id = await enqueue(db, "broken", {}, { maxAttempts: 4 });
      await waitFor(async () => (await stateOf(id)) === "dead", { what: "dead job" });
      expect(await getJob(db, id)).toMatchObject({ attempts: 4, last_error: "still broken" });
      expect(runs).toHaveLength(4);
      for (let i = 1; i < runs.length; i++) expect(runs[i].getTime()).toBeGreaterThan(runs[i - 1].getTime());
    } finally {
      await worker.stop();
    }
  });

  it("fails a job of an unknown kind with a clear error", async () => {
    const worker = new JobWorker({ db, backoff: () => 0, handlers: {} });
    const id = await enqueue(db, "no-such-kind", {}, { maxAttempts: 2 });
    expect(await worker.drain()).toBe(2);
    expect(await getJob(db, id)).toMatchObject({
      state: "dead",
      attempts: 2,
      last_error: 'no handler registered for job kind "no-such-kind"',
    });
  });

  it("never runs a job twice across workers and connection pools", async () => {
    const ran: number[] = [];
    const handlers: Record<string, JobHandler> = {
      record: async (_p, ctx) => {
        ran.push(ctx.job.id);
        await sleep(ctx.job.id % 3); // interleave
      },
    };
    const otherDb = (await t.openAnother()).db;
    const workers = [
      new JobWorker({ db, handlers, pollMs: 5, concurrency: 3, id: "w1" }),
      new JobWorker({ db, handlers, pollMs: 5, concurrency: 3, id: "w2" }),
      new JobWorker({ db: otherDb, handlers, pollMs: 5, concurrency: 3, id: "w3" }),
      new JobWorker({ db: otherDb, handlers, pollMs: 5, concurrency: 3, id: "w4" }),
    ];
    await Promise.all(workers.map((w) => w.start()));
    try {
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) ids.push(await enqueue(i % 2 ? db : otherDb, "record", { i }));
      await waitFor(async () => {
        const r = await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM jobs WHERE state = 'completed'`.execute(db);
        return r.rows[0].n === 40;
      });
      expect([...ran].sort((a, b) => a - b)).toEqual(ids);
      const byWorker = await db.selectFrom("jobs").select(["locked_by", "attempts"]).execute();
      expect(byWorker.every((j) => j.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it("picks up a job abandoned by a crashed worker once its lease expires", async () => {
    const id = await enqueue(db, "resume", { step: 1 });
    const [claimed] = await claimJobs(db, "crashed-worker", 1); // ... and the process dies
    expect(claimed).toMatchObject({ id, state: "running", attempts: 1 });
    const attempts: number[] = [];
    const worker = new JobWorker({
      db,
      pollMs: 10,
      leaseMs: 200,
      handlers: {
        resume: async (_p, ctx) => {
          attempts.push(ctx.attempt);
        },
      },
    });
    await worker.start();
    try {
      await waitFor(async () => (await stateOf(id)) === "completed", { what: "recovered job" });
      expect(attempts).toEqual([2]);
      expect(await getJob(db, id)).toMatchObject({ attempts: 2, locked_by: worker.id });
    } finally {
      await worker.stop();
    }
  });

  it("marks an abandoned job dead when the lost attempt was its last", async () => {
    const id = await enqueue(db, "fragile", {}, { maxAttempts: 1 });
    await claimJobs(db, "crashed-worker", 1);
    await db
      .updateTable("jobs")
      .set({ locked_at: sql`now() - interval '1 hour'` })
      .where("id", "=", id)
      .execute();
    const worker = new JobWorker({ db, handlers: { fragile: async () => {} } });
    await worker.recover();
    const job = (await getJob(db, id))!;
    expect(job.state).toBe("dead");
    expect(job.last_error).toMatch(/lease expired: worker crashed-worker stopped during attempt 1/);
  });

  it("renews the lease of a long job so no other worker takes it over", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let runs = 0;
    const handlers = {
      slow: async () => {
        runs++;
        await released;
      },
    };
    const a = new JobWorker({ db, handlers, pollMs: 10, leaseMs: 600, id: "a" });
    const b = new JobWorker({ db, handlers, pollMs: 10, leaseMs: 600, id: "b" });
    const id = await enqueue(db, "slow", {});
    await a.start();
    try {
      await waitFor(() => a.running.includes(id), { what: "job to start" });
      await b.start();
      await sleep(2_000); // several lease periods
      expect(runs).toBe(1);
      expect(await getJob(db, id)).toMatchObject({ state: "running", locked_by: "a", attempts: 1 });
      release();
      await waitFor(async () => (await stateOf(id)) === "completed", { what: "completion" });
      expect(runs).toBe(1);
    } finally {
      release();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("stop() waits for running jobs and claims nothing new", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const worker = new JobWorker({ db, pollMs: 10, concurrency: 1, handlers: { wait: () => released } });
    const first = await enqueue(db, "wait", {});
    await worker.start();
    await waitFor(() => worker.running.includes(first), { what: "job to start" });
    const second = await enqueue(db, "wait", {});
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await sleep(50);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await stateOf(first)).toBe("completed");
    expect(await stateOf(second)).toBe("available");
  });

  it("stop({abortAfterMs}) aborts handlers that honour the signal", async () => {
    const worker = new JobWorker({
      db,
      pollMs: 10,
      backoff: () => 60_000,
      handlers: {
        forever: (_p, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
          }),
      },
    });
    const id = await enqueue(db, "forever", {});
    await worker.start();
    await waitFor(() => worker.running.includes(id), { what: "job to start" });
    await worker.stop({ abortAfterMs: 10 });
    expect(await getJob(db, id)).toMatchObject({
      state: "available",
      attempts: 1,
      last_error: "job worker is stopping",
    });
  });
});
