import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/db.ts";
import { cronSlot, cronSlotKey, scheduleCron } from "./cron.ts";
import { listJobs } from "./queue.ts";
import { type JobsTestDatabase, jobsTestDatabase, waitFor } from "./test-support.ts";

describe("cron", () => {
  let t: JobsTestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await jobsTestDatabase();
    db = t.handle.db;
  });
  afterAll(() => t.cleanup());

  it("names one unique key per schedule and slot", () => {
    const slot = new Date("2024-05-01T12:30:00.000Z");
    expect(cronSlotKey("prune", slot)).toBe("cron:prune:2024-05-01T12:30:00.000Z");
    expect(cronSlotKey("prune", new Date(slot))).toBe(cronSlotKey("prune", slot));
    expect(cronSlotKey("other", slot)).not.toBe(cronSlotKey("prune", slot));
  });

  it("maps a tick, even a late one, to the slot it belongs to", () => {
    const at = (iso: string) => cronSlot("*/5 * * * * *", new Date(iso))?.toISOString();
    expect(at("2024-01-01T00:00:10.000Z")).toBe("2024-01-01T00:00:10.000Z");
    expect(at("2024-01-01T00:00:10.300Z")).toBe("2024-01-01T00:00:10.000Z");
    expect(at("2024-01-01T00:00:14.999Z")).toBe("2024-01-01T00:00:10.000Z");
    const hourly = (iso: string) => cronSlot("0 * * * *", new Date(iso), "UTC")?.toISOString();
    expect(hourly("2024-01-01T03:00:00.000Z")).toBe("2024-01-01T03:00:00.000Z");
    expect(hourly("2024-01-01T03:00:02.500Z")).toBe("2024-01-01T03:00:00.000Z");
    expect(hourly("2024-01-01T03:59:59.999Z")).toBe("2024-01-01T03:00:00.000Z");
  });

  it("enqueues a job on each tick, once per slot across several schedulers", async () => {
    const other = (await t.openAnother()).db;
    const stops = [db, db, other].map((d) =>
      scheduleCron(d, { name: "heartbeat", pattern: "* * * * * *", kind: "beat", payload: { from: "cron" } }),
    );
    try {
      const jobs = await waitFor(
        async () => {
          const js = await listJobs(db, { kind: "beat" });
          return js.length >= 2 ? js : undefined;
        },
        { what: "cron jobs" },
      );
      expect(jobs[0]).toMatchObject({ kind: "beat", payload: { from: "cron" }, state: "available" });
      expect(jobs[0].unique_key).toMatch(/^cron:heartbeat:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
    const { rows } = await sql<{ n: number; keys: number }>`
      SELECT count(*)::int AS n, count(DISTINCT unique_key)::int AS keys FROM jobs WHERE kind = 'beat'`.execute(
      db,
    );
    expect(rows[0].n).toBe(rows[0].keys);
  });
});
