// Opens the metadata database: embedded PGlite in the data directory by default, or a real
// PostgreSQL server when a URL is given. Both speak the same SQL and run the same migrations.

import { Kysely, type LogEvent, PostgresDialect } from "kysely";
import pg from "pg";
import { openPglite } from "./pglite-open.ts";
import { PglitePool } from "./pglite-pool.ts";
import type { LiteEngine } from "./pglite-thread.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;

/** A client that can run multi-statement scripts, used by the migration runner. */
export interface ScriptClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  exec(sql: string): Promise<void>;
}

export interface DatabaseHandle {
  db: Db;
  kind: "pglite" | "postgres";
  /** Runs fn with one dedicated connection (for migrations and advisory locks). */
  withClient<T>(fn: (client: ScriptClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball (see OpenOptions.loadDataDir). */
  dump?: () => Promise<Blob | File>;
  /** PGlite only: the engine (its LISTEN/NOTIFY serves the in-process bus, db/notify-bus.ts). */
  pglite?: LiteEngine;
  /** PostgreSQL only: the server's URL (the bus opens its own LISTEN connection). */
  url?: string;
}

export interface OpenOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** Directory for PGlite's files; when absent (and no url), an in-memory database. */
  dir?: string;
  /** PostgreSQL schema to use (created if missing); tests use one schema each. */
  schema?: string;
  /** A PGlite data directory dump to start the in-memory database from (tests' template). */
  loadDataDir?: Blob;
  /**
   * PGlite on a thread of its own (db/pglite-thread.ts, ADR 33): what the server does
   * (MICELIO_PGLITE_THREAD); tests and one-off commands keep it in process, where a short run
   * of sequential queries is quicker.
   */
  thread?: boolean;
}

/**
 * Queries sent since the process started, through any Kysely this module opened (benchmarks
 * read it as `globalThis[Symbol.for("micelio.db.queries")]`, from a preload, to count the
 * queries per landing). Counting costs an increment per query.
 */
const COUNTER = Symbol.for("micelio.db.queries");
const counter = globalThis as unknown as Record<symbol, number>;
counter[COUNTER] ??= 0;
export const queryCount = () => counter[COUNTER];
/** Called with the table after each insert, update or delete sent through Kysely's builder. */
type WriteListener = (table: string) => void;
const writeListeners = new Set<WriteListener>();
/**
 * Tells `fn` about writes to tables in this process as soon as they are sent: caches of rows
 * (the token cache) drop what a write may have changed before the writer's next request,
 * where the bus's notification after commit may come later.
 */
export function onTableWrite(fn: WriteListener): () => void {
  writeListeners.add(fn);
  return () => writeListeners.delete(fn);
}
const WRITE = /^\s*(?:update|delete\s+from|insert\s+into)\s+"(\w+)"/i;
const countQueries = (event: LogEvent) => {
  counter[COUNTER]++;
  if (writeListeners.size === 0) return;
  const table = WRITE.exec(event.query.sql)?.[1];
  if (table) for (const fn of writeListeners) fn(table);
};
const kysely = (pool: unknown) =>
  new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as any }), log: countQueries });

// int8 and numeric come back as strings from pg; we only use them for counters that fit.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  if (opts.url) return openPostgres(opts.url, opts.schema);
  const lite = await openPglite({ ...opts, thread: opts.thread ?? false });
  const pool = new PglitePool(lite);
  const db = kysely(pool);
  return {
    db,
    kind: "pglite",
    async withClient(fn) {
      const client = await pool.connect();
      try {
        await client.take("exclusive"); // scripts and advisory locks: the session to itself
        return await fn(client);
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
    dump: () => lite.dumpDataDir("none"),
    pglite: lite,
  };
}

/** Serializes schema set-up across processes: schema creation and migrations. */
export const MIGRATION_LOCK_KEY = 7_245_001;

async function openPostgres(url: string, schema?: string): Promise<DatabaseHandle> {
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // Two processes starting at once would race on pg_namespace: serialize (same key as migrate).
      await admin.query("BEGIN");
      await admin.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await admin.query("COMMIT");
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    // Connections per process (MICELIO_DB_POOL): requests, the lander's epochs and jobs share them.
    max: Number(process.env.MICELIO_DB_POOL ?? 10),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = kysely(pool);
  return {
    db,
    kind: "postgres",
    async withClient(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          query: (sql, params) => client.query(sql, params),
          exec: async (sql) => {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
    url,
  };
}

/** Drops a schema made for a test run (PostgreSQL only). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}
