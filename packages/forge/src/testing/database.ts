// Gives each test file its own empty database: an in-memory PGlite by default, or a fresh
// schema on the PostgreSQL server named by DATABASE_URL (dropped afterwards). Forges for
// tests may start PGlite from a migrated template kept in the temp directory (keyed by the
// migrations' content), which skips initdb and the migrations in every file but the first.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DatabaseHandle, dropSchema, openDatabase } from "../db/db.ts";
import { migrate, migrationFiles } from "../db/migrate.ts";

const MIGRATIONS = join(import.meta.dirname, "..", "db", "migrations");

function templatePath(): string {
  const h = createHash("sha256");
  // PGlite's version is part of the key: its package directory, from its entry point.
  const entry = fileURLToPath(import.meta.resolve("@electric-sql/pglite"));
  const pkg = join(
    entry.slice(0, entry.lastIndexOf("@electric-sql/pglite")),
    "@electric-sql/pglite",
    "package.json",
  );
  h.update(readFileSync(pkg));
  for (const f of migrationFiles()) h.update(f).update(readFileSync(join(MIGRATIONS, f)));
  return join(tmpdir(), `micelio-pglite-${h.digest("hex").slice(0, 16)}.tar`);
}

/** A migrated in-memory PGlite, from the template when there is one (made on first use). */
async function migratedPglite(): Promise<DatabaseHandle> {
  const path = templatePath();
  if (existsSync(path)) {
    try {
      return await openDatabase({ loadDataDir: new Blob([readFileSync(path)]) });
    } catch {
      /* an unreadable template: build a fresh database below */
    }
  }
  const handle = await openDatabase({});
  await migrate(handle);
  const dump = await handle.dump!();
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, path);
  return handle;
}

export async function testDatabase(opts: { migrate?: boolean; template?: boolean } = {}) {
  const url = process.env.DATABASE_URL || undefined;
  const schema = url ? `t_${randomBytes(6).toString("hex")}` : undefined;
  const handle: DatabaseHandle =
    !url && opts.template ? await migratedPglite() : await openDatabase({ url, schema });
  if (opts.migrate !== false) await migrate(handle);
  return {
    handle,
    async cleanup() {
      await handle.close();
      if (url && schema) await dropSchema(url, schema);
    },
  };
}
