// The bus (notify-bus.ts): a message reaches the subscribers of its channel, a trigger's
// message too, and forges sharing one PostgreSQL database in separate schemas (as the test
// suite's files do) do not hear each other (migration 0047's channel per schema). Without
// that, every landing anywhere emptied every forge's project cache.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../testing/database.ts";
import { until } from "../testing/eventually.ts";
import { createNotifyBus, type NotifyBus } from "./notify-bus.ts";

type TestDb = Awaited<ReturnType<typeof testDatabase>>;

/** A bus on a fresh database, and what it heard on "projects" and "t1". */
async function listening() {
  const db = await testDatabase();
  const bus = createNotifyBus(db.handle);
  const heard: string[] = [];
  bus.subscribe("projects", (p) => heard.push(`projects:${p}`));
  bus.subscribe("t1", (p) => heard.push(`t1:${p}`));
  // LISTEN is asynchronous: wait until a message of its own comes back.
  await until("the bus to listen", async () => {
    await bus.publish("t1", "ready");
    return heard.includes("t1:ready");
  });
  heard.length = 0;
  return { db, bus, heard };
}

describe("notify bus", () => {
  let a: { db: TestDb; bus: NotifyBus; heard: string[] };
  let b: { db: TestDb; bus: NotifyBus; heard: string[] };

  beforeAll(async () => {
    a = await listening();
    b = await listening();
  });
  afterAll(async () => {
    for (const x of [a, b]) {
      await x?.bus.close();
      await x?.db.cleanup();
    }
  });

  it("names channels micelio_<channel> in the public schema, and refuses odd channel names", async () => {
    const { rows } = await sql<{ n: string }>`SELECT micelio_channel('projects') AS n`.execute(
      a.db.handle.db,
    );
    const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(a.db.handle.db)).rows[0].s;
    expect(rows[0].n).toBe(schema === "public" ? "micelio_projects" : `micelio_${schema}_projects`);
    await expect(a.bus.publish("Bad-Name", "x")).rejects.toThrow(/invalid bus channel/);
    expect(() => a.bus.subscribe("bad name", () => {})).toThrow(/invalid bus channel/);
  });

  it("delivers a trigger's message once per statement, on commit only", async () => {
    const db = a.db.handle.db;
    // A statement trigger fires even when no row matches (migration 0046).
    await sql`UPDATE projects SET name = name WHERE false`.execute(db);
    await until("the trigger's message", () => a.heard.includes("projects:"));
    a.heard.length = 0;
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`UPDATE projects SET name = name WHERE false`.execute(trx);
        throw new Error("roll back");
      })
      .catch(() => {});
    await a.bus.publish("t1", "after-rollback");
    await until("the marker", () => a.heard.includes("t1:after-rollback"));
    expect(a.heard).toEqual(["t1:after-rollback"]);
  });

  it("keeps forges on one PostgreSQL database in separate schemas apart", async () => {
    a.heard.length = 0;
    b.heard.length = 0;
    await sql`UPDATE projects SET name = name WHERE false`.execute(a.db.handle.db);
    await a.bus.publish("t1", "from-a");
    await until("a to hear itself", () => a.heard.includes("t1:from-a"));
    // NOTIFY is delivered in commit order: once b hears its own later marker, it would have
    // heard a's messages before it, had they been on its channels.
    await b.bus.publish("t1", "from-b");
    await until("b to hear itself", () => b.heard.includes("t1:from-b"));
    expect(b.heard).toEqual(["t1:from-b"]);
    expect(a.heard).toEqual(["projects:", "t1:from-a"]);
  });
});
