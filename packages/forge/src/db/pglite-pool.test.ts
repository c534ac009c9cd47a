// PGlite's one session behind the pool (pglite-pool.ts): single statements share it, but a
// statement never runs inside another client's transaction (it would see, and could commit or
// roll back, that transaction's writes), and a waiting transaction is not starved by sharers.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "./db.ts";

describe.each([
  ["on its own thread", true],
  ["in process", false],
])("the PGlite pool, PGlite %s", (_name, thread) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openDatabase({ thread });
    await sql`CREATE TABLE t (v int)`.execute(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("keeps single statements out of an open transaction", async () => {
    const db = handle.db;
    let inside!: () => void;
    const opened = new Promise<void>((r) => {
      inside = r;
    });
    let finish!: () => void;
    const held = new Promise<void>((r) => {
      finish = r;
    });
    const trx = db.transaction().execute(async (t) => {
      await sql`INSERT INTO t VALUES (1)`.execute(t);
      inside();
      await held; // the transaction stays open while the reads below are sent
      throw new Error("roll back");
    });
    await opened;
    const reads = Array.from({ length: 5 }, () =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM t`.execute(db).then((r) => r.rows[0].n),
    );
    await new Promise((r) => setTimeout(r, 50));
    finish();
    await expect(trx).rejects.toThrow("roll back");
    // Run inside the transaction, they would have counted its uncommitted row.
    expect(await Promise.all(reads)).toEqual([0, 0, 0, 0, 0]);
  });

  it("runs a waiting transaction before statements sent after it", async () => {
    const db = handle.db;
    const order: string[] = [];
    const first = sql`SELECT pg_sleep(0.05)`.execute(db).then(() => order.push("first"));
    const trx = db.transaction().execute(async (t) => {
      await sql`INSERT INTO t VALUES (2)`.execute(t);
      order.push("transaction");
    });
    const later = sql<{ n: number }>`SELECT count(*)::int AS n FROM t`.execute(db).then((r) => {
      order.push("later");
      return r.rows[0].n;
    });
    await Promise.all([first, trx]);
    expect(await later).toBe(1); // it saw the committed row: it ran after the transaction
    expect(order).toEqual(["first", "transaction", "later"]);
    await sql`DELETE FROM t`.execute(db);
  });
});
