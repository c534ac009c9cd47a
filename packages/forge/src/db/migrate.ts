// Applies the SQL migrations in ./migrations in name order, each once, each in its own
// transaction. Safe to run at every start and from several processes at once (an advisory
// lock serializes them on PostgreSQL; PGlite has a single connection anyway).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DatabaseHandle, MIGRATION_LOCK_KEY as LOCK_KEY } from "./db.ts";

const DIR = join(import.meta.dirname, "migrations");

export function migrationFiles(): string[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
}

/** Returns the names of the migrations applied by this call. */
export async function migrate(handle: DatabaseHandle): Promise<string[]> {
  return handle.withClient(async (client) => {
    // Under the lock too: two processes creating the table at once collide on pg_type.
    await client.exec("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await client.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    await client.exec("COMMIT");
    const applied: string[] = [];
    for (const file of migrationFiles()) {
      await client.exec("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
        const done = await client.query("SELECT 1 FROM schema_migrations WHERE name = $1", [file]);
        if (done.rows.length === 0) {
          await client.exec(readFileSync(join(DIR, file), "utf8"));
          await client.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
          applied.push(file);
        }
        await client.exec("COMMIT");
      } catch (err) {
        await client.exec("ROLLBACK");
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
    }
    return applied;
  });
}
