// The cursor's gap bookkeeping: whatever order events become visible in, a consumer running at
// any moments reads every event once and never twice (model-based, fast-check), and gaps fall
// away LOOKBACK ids behind; and on the database, an event committed late is read once.
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db/db.ts";
import { testDatabase } from "../testing/database.ts";
import { consumeEvents, nextGaps } from "./event-cursor.ts";

/** Runs the consumer's pure steps against a model where id i becomes visible at run visibleAt[i]. */
function simulate(visibleAt: (number | null)[], runs: number, batch: number, lookback: number) {
  const consumed = new Map<number, number>();
  let from = 0;
  let gaps: number[] = [];
  const maxId = visibleAt.length;
  for (let run = 0; run < runs; run++) {
    const isVisible = (id: number) => visibleAt[id - 1] !== null && visibleAt[id - 1]! <= run;
    // max(id) sees only visible rows.
    let max = from;
    for (let id = 1; id <= maxId; id++) if (isVisible(id)) max = Math.max(max, id);
    const upto = Math.max(from, Math.min(max, from + batch));
    const ids: number[] = [];
    for (let id = from + 1; id <= upto; id++) if (isVisible(id)) ids.push(id);
    for (const id of gaps) if (isVisible(id)) ids.push(id);
    for (const id of ids) consumed.set(id, (consumed.get(id) ?? 0) + 1);
    gaps = nextGaps(from, upto, gaps, ids, lookback);
    from = upto;
  }
  return { consumed, from, gaps };
}

describe("event cursor gaps", () => {
  it("reads every event that becomes visible once, in any order of commits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 15 }), { freq: 6 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        (visibleAt, batch) => {
          const runs = 40; // enough runs after the last commit to drain every batch
          const { consumed } = simulate(visibleAt, runs, batch, 1_000_000);
          visibleAt.forEach((at, i) => {
            expect(consumed.get(i + 1) ?? 0).toBe(at === null ? 0 : 1);
          });
        },
      ),
    );
  });

  it("forgets gaps that fall LOOKBACK ids behind (a rolled-back id is not asked for ever)", () => {
    expect(nextGaps(0, 10, [], [1, 2, 4, 5, 6, 7, 8, 9, 10], 100)).toEqual([3]);
    expect(nextGaps(10, 10, [3], [], 100)).toEqual([3]);
    expect(
      nextGaps(
        10,
        200,
        [3],
        Array.from({ length: 190 }, (_, i) => i + 11),
        100,
      ),
    ).toEqual([]);
    expect(nextGaps(10, 20, [3, 12], [3, 11, 13, 14, 15, 16, 17, 18, 19, 20], 100)).toEqual([12]);
  });
});

describe("consumeEvents on the database", () => {
  let h: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ handle: h, cleanup } = await testDatabase());
    await h.db
      .insertInto("accounts")
      .values({ id: "a1", kind: "user", handle: "ada", email: null, password_hash: null })
      .execute();
    await h.db
      .insertInto("projects")
      .values({ id: "p1", owner_id: "a1", handle: "app", name: "app", visibility: "public" })
      .execute();
  });
  afterAll(() => cleanup());

  const event = () =>
    h.db.insertInto("project_events").values({ project_id: "p1", type: "push", data: "{}" }).execute();
  const consume = async () => {
    const got: number[] = [];
    await consumeEvents(h.db, "notification_cursor", 1000, async (_trx, ids) => {
      got.push(...ids);
      return ids.length;
    });
    return got;
  };

  it("reads an event committed late exactly once, and each event once", async () => {
    await consume(); // past whatever the migrations left
    await event();
    // An id taken by a transaction that has not committed yet, then a later event committed first.
    const { rows } = await sql<{ id: number }>`
      SELECT nextval(pg_get_serial_sequence('project_events', 'id'))::int AS id`.execute(h.db);
    const late = rows[0].id;
    await event();
    const first = await consume();
    expect(first).toHaveLength(2);
    expect(first).not.toContain(late);
    expect(await consume()).toEqual([]);
    // The late transaction commits now.
    await sql`INSERT INTO project_events (id, project_id, type, data)
      OVERRIDING SYSTEM VALUE VALUES (${late}, 'p1', 'push', '{}')`.execute(h.db);
    expect(await consume()).toEqual([late]);
    expect(await consume()).toEqual([]);
    const cursor = await h.db
      .selectFrom("notification_cursor")
      .select(["event_id", "gaps"])
      .executeTakeFirstOrThrow();
    expect(cursor.gaps).toEqual([]);
    expect(Number(cursor.event_id)).toBe(Math.max(...first));
  });
});
