// Gives each test file its own empty database: an in-memory PGlite by default, or a fresh
// schema on the PostgreSQL server named by DATABASE_URL (dropped afterwards).
import { randomBytes } from "node:crypto";
import { type DatabaseHandle, dropSchema, openDatabase } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";

export async function testDatabase(opts: { migrate?: boolean } = {}) {
  const url = process.env.DATABASE_URL || undefined;
  const schema = url ? `t_${randomBytes(6).toString("hex")}` : undefined;
  const handle: DatabaseHandle = await openDatabase({ url, schema });
  if (opts.migrate !== false) await migrate(handle);
  return {
    handle,
    async cleanup() {
      await handle.close();
      if (url && schema) await dropSchema(url, schema);
    },
  };
}
