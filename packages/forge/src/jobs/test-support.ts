// Helpers for the job queue tests (not used by the application): a test database that can
// hand out a second, independent connection pool on PostgreSQL, and waiting for a condition.
import { randomBytes } from "node:crypto";
import { type DatabaseHandle, dropSchema, openDatabase } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";

export interface JobsTestDatabase {
  handle: DatabaseHandle;
  /**
   * Another handle on the same database: a separate pool on PostgreSQL (as a second
   * process would have); on in-memory PGlite, which is one connection, the same handle.
   */
  openAnother(): Promise<DatabaseHandle>;
  /** True when openAnother() gives really separate connections. */
  separatePools: boolean;
  cleanup(): Promise<void>;
}

export async function jobsTestDatabase(): Promise<JobsTestDatabase> {
  const url = process.env.DATABASE_URL || undefined;
  const schema = url ? `t_${randomBytes(6).toString("hex")}` : undefined;
  const handle = await openDatabase({ url, schema });
  await migrate(handle);
  const extra: DatabaseHandle[] = [];
  return {
    handle,
    separatePools: Boolean(url),
    async openAnother() {
      if (!url) return handle;
      const h = await openDatabase({ url, schema });
      extra.push(h);
      return h;
    },
    async cleanup() {
      for (const h of extra) await h.close();
      await handle.close();
      if (url && schema) await dropSchema(url, schema);
    },
  };
}

/** Resolves with the first truthy value of `check`, polling; rejects after timeoutMs. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 20, what = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
