// PGlite on its own thread (pglite-thread.ts) answers as PGlite in process does: the same rows
// (dates, bytea, JSON, arrays, nulls), errors with PostgreSQL's fields, notifications; and a
// thread that is gone makes calls fail instead of hanging.
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../testing/eventually.ts";
import { type LiteEngine, startPgliteThread } from "./pglite-thread.ts";

describe("PGlite on its own thread", () => {
  let thread: LiteEngine;
  let local: PGlite;

  beforeAll(async () => {
    thread = await startPgliteThread({ settings: ["shared_buffers=16MB"] });
    local = await PGlite.create();
    for (const db of [thread, local]) {
      await db.exec(`CREATE TABLE t (id int PRIMARY KEY, at timestamptz, data bytea, doc jsonb, tags text[], n int8);
        INSERT INTO t VALUES (1, '2026-12-07T10:00:00Z', '\\x00ff10', '{"a":[1,"x",null]}', '{a,b}', 9007199254740991),
                             (2, NULL, NULL, NULL, NULL, NULL)`);
    }
  });
  afterAll(async () => {
    await thread?.close();
    await local?.close();
  });

  it("returns the rows PGlite in process returns", async () => {
    const q = "SELECT * FROM t WHERE id = ANY($1) ORDER BY id";
    const params = [[1, 2]];
    const [a, b] = [await thread.query(q, params), await local.query(q, params)];
    expect(a.rows).toEqual(b.rows);
    expect(a.rows[0].at).toBeInstanceOf(Date);
    expect(a.rows[0].data).toBeInstanceOf(Uint8Array);
    expect(a.rows[0].doc).toEqual({ a: [1, "x", null] });
    const w = "UPDATE t SET data = $1 WHERE id = 2";
    const bytes = Buffer.from([1, 2, 3]);
    expect((await thread.query(w, [bytes])).affectedRows).toBe(1);
    expect((await local.query(w, [bytes])).affectedRows).toBe(1);
    const back = await thread.query<{ data: Uint8Array }>("SELECT data FROM t WHERE id = 2");
    expect([...back.rows[0].data]).toEqual([1, 2, 3]);
  });

  it("rejects with PostgreSQL's error fields, and goes on answering", async () => {
    const err = await thread.query("INSERT INTO t (id) VALUES (1)").catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("23505");
    expect(err.constraint).toBe("t_pkey");
    expect(err.message).toMatch(/duplicate key/);
    await expect(thread.exec("SELECT nonsense FROM nowhere")).rejects.toThrow(/nowhere/);
    expect((await thread.query("SELECT count(*)::int AS n FROM t")).rows).toEqual([{ n: 2 }]);
  });

  it("delivers notifications to each listener until it stops listening", async () => {
    const heard: string[] = [];
    const stopA = await thread.listen("chan", (p) => heard.push(`a:${p}`));
    const stopB = await thread.listen("chan", (p) => heard.push(`b:${p}`));
    await thread.query("SELECT pg_notify('chan', 'one')");
    await until("both listeners", () => heard.length === 2);
    await stopA();
    await thread.query("SELECT pg_notify('chan', 'two')");
    await until("the remaining listener", () => heard.includes("b:two"));
    expect(heard.sort()).toEqual(["a:one", "b:one", "b:two"]);
    await stopB();
  });

  it("fails calls once the thread is gone, instead of hanging", async () => {
    const gone = await startPgliteThread({ settings: [] });
    await gone.close();
    await expect(gone.query("SELECT 1")).rejects.toThrow(/database thread/);
  });
});
