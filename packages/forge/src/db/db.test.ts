import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../testing/database.ts";
import { type DatabaseHandle, dropSchema, openDatabase } from "./db.ts";
import { migrate, migrationFiles } from "./migrate.ts";

describe("database and migrations", () => {
  let h: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ handle: h, cleanup } = await testDatabase({ migrate: false }));
  });
  afterAll(() => cleanup());

  it("applies every migration once and is idempotent", async () => {
    expect(await migrate(h)).toEqual(migrationFiles());
    expect(await migrate(h)).toEqual([]);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(h.db);
    expect(rows[0].n).toBe(migrationFiles().length);
  });

  it("keeps the audit log append-only", async () => {
    await h.db
      .insertInto("audit_log")
      .values({ action: "test", target_type: "t", target_id: "1", actor_id: null, project_id: null })
      .execute();
    await expect(h.db.deleteFrom("audit_log").execute()).rejects.toThrow(/append-only/);
    await expect(h.db.updateTable("audit_log").set({ action: "x" }).execute()).rejects.toThrow(/append-only/);
  });

  it("rolls back a failed transaction", async () => {
    await expect(
      h.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("accounts")
          .values({ id: "a1", kind: "user", handle: "roll", email: null, password_hash: null })
          .execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const row = await h.db.selectFrom("accounts").where("id", "=", "a1").selectAll().executeTakeFirst();
    expect(row).toBeUndefined();
  });
});

const URL = process.env.DATABASE_URL;
describe.skipIf(!URL)("processes starting together (needs PostgreSQL: DATABASE_URL is unset)", () => {
  it("creates one schema and applies each migration once when four handles set it up at the same moment", async () => {
    const schema = `t_start_${randomBytes(4).toString("hex")}`;
    try {
      const handles = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url: URL, schema })));
      try {
        const applied = await Promise.all(handles.map((h) => migrate(h)));
        expect(applied.flat().sort()).toEqual(migrationFiles());
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await dropSchema(URL!, schema);
    }
  });
});
