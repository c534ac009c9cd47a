// One lander per project across every forge process (ADR 23). On PostgreSQL an epoch runs in
// one transaction that first takes the project's transaction-scoped advisory lock: a lander
// in another process waits for it, and the lock goes with the transaction however it ends
// (commit, rollback, or the connection dropping when a process dies). The epoch's reads and
// writes run on that same connection, so a waiting epoch never holds a connection another
// needs. PGlite is one process (MICELIO_WORKERS refuses it): the lander's in-process queue
// is the lock there, and the epoch runs on the database as before.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";

/** The first key of the landing lock; the second is hashtext(project id). */
export const LAND_LOCK = 7_245_023;

export type LockMode = "advisory" | "in-process";

/**
 * Runs `fn` while this process is the project's only lander. With "advisory", `fn` gets the
 * transaction: what it writes commits (and the lock is released) when it returns, and rolls
 * back when it throws.
 */
export async function asProjectLander<T>(
  db: Db,
  mode: LockMode,
  projectId: string,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  if (mode === "in-process") return fn(db);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${LAND_LOCK}, hashtext(${projectId}))`.execute(trx);
    return fn(trx);
  });
}
