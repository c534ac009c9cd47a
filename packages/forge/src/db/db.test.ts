import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../testing/database.ts";
import type { DatabaseHandle } from "./db.ts";
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
