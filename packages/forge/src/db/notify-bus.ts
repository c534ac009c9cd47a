// A small cross-process bus over PostgreSQL LISTEN/NOTIFY, for what every forge process
// must hear at once: "project X has new events" (the SSE fan-out), "project X's refs moved"
// (caches of mutable state). `notify` is plain SQL (`pg_notify`), so a write path sends it
// inside its own transaction and the message leaves only if the transaction commits. One
// dedicated connection per process LISTENs and hands messages to in-process subscribers;
// when that connection drops and comes back, every subscriber gets `null` ("you may have
// missed messages: drop what you cache"). PGlite is one process: its own LISTEN delivers
// in process, through the same calls.

import { sql } from "kysely";
import pg from "pg";
import type { Logger } from "../ops/logger.ts";
import type { DatabaseHandle, Db } from "./db.ts";
import type { LiteEngine } from "./pglite-thread.ts";

/** A message, or null after a reconnect (messages may have been lost meanwhile). */
export type BusListener = (payload: string | null) => void;

export interface NotifyBus {
  /** Sends `payload` (at most 7,900 bytes) to every process; inside a transaction, on commit. */
  publish(channel: string, payload: string, via?: Db): Promise<void>;
  /** Calls `fn` for each message on `channel` from any process (this one included). */
  subscribe(channel: string, fn: BusListener): () => void;
  close(): Promise<void>;
}

const NAME = /^[a-z0-9_]{1,40}$/;

/** A bus channel name, checked (the PostgreSQL name is made by SQL's micelio_channel). */
function checked(channel: string): string {
  if (!NAME.test(channel)) throw new Error(`invalid bus channel: ${channel}`);
  return channel;
}

/**
 * The SQL for the PostgreSQL channel behind a bus channel: `micelio_<channel>` in the public
 * schema, `micelio_<schema>_<channel>` in another (migration 0047), so forges sharing one
 * database in separate schemas do not hear each other.
 */
export const channelSql = (channel: string) => sql<string>`micelio_channel(${checked(channel)})`;

/** Sends a message with `pg_notify` through `db` (a transaction delivers it on commit). */
export async function notify(db: Db, channel: string, payload: string): Promise<void> {
  if (Buffer.byteLength(payload) > 7900) throw new Error("bus payload too large");
  await sql`SELECT pg_notify(${channelSql(channel)}, ${payload})`.execute(db);
}

type Backend = {
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  close(): Promise<void>;
};

export function createNotifyBus(handle: DatabaseHandle, log?: Logger): NotifyBus {
  const subscribers = new Map<string, Set<BusListener>>();
  // The PostgreSQL names' prefix, asked of the database once (the schema decides it).
  let prefix = "";
  const named = sql<{ p: string }>`SELECT micelio_channel('') AS p`.execute(handle.db).then((r) => {
    prefix = r.rows[0].p;
  });
  named.catch(() => {}); // reported by the LISTEN that waits for it
  const deliver = (channel: string, payload: string | null) => {
    for (const fn of subscribers.get(channel) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        log?.error({ err, channel }, "a bus subscriber failed");
      }
    }
  };
  const everyone = () => {
    for (const channel of subscribers.keys()) deliver(channel, null);
  };
  const heard = (pgName: string, payload: string) => {
    if (pgName.startsWith(prefix)) deliver(pgName.slice(prefix.length), payload);
  };
  const backend: Backend = handle.pglite
    ? pgliteBackend(handle.pglite, heard)
    : postgresBackend(
        handle.url!,
        () => [...subscribers.keys()].map((c) => prefix + c),
        heard,
        everyone,
        log,
      );
  let closed = false;
  return {
    publish: (channel, payload, via) => notify(via ?? handle.db, channel, payload),
    subscribe(channel, fn) {
      let set = subscribers.get(checked(channel));
      if (!set) {
        set = new Set();
        subscribers.set(channel, set);
        named
          .then(() => backend.listen(prefix + channel))
          .catch((err) => log?.warn({ err, channel }, "LISTEN failed"));
      }
      set.add(fn);
      return () => {
        const current = subscribers.get(channel);
        if (!current?.delete(fn) || current.size > 0 || closed) return;
        subscribers.delete(channel);
        named.then(() => backend.unlisten(prefix + channel)).catch(() => {});
      };
    },
    async close() {
      closed = true;
      subscribers.clear();
      await backend.close();
    },
  };
}

function pgliteBackend(lite: LiteEngine, deliver: (c: string, p: string) => void): Backend {
  const stops = new Map<string, Promise<() => Promise<void>>>();
  return {
    async listen(channel) {
      const stop = lite.listen(channel, (payload) => deliver(channel, payload));
      stops.set(channel, stop);
      await stop;
    },
    async unlisten(channel) {
      const stop = stops.get(channel);
      stops.delete(channel);
      await (await stop)?.();
    },
    async close() {
      for (const channel of [...stops.keys()]) await this.unlisten(channel).catch(() => {});
    },
  };
}

/** One LISTEN connection, reconnected with backoff; after a reconnect every subscriber hears null. */
function postgresBackend(
  url: string,
  channels: () => string[],
  deliver: (c: string, p: string) => void,
  lost: () => void,
  log?: Logger,
): Backend {
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client | null> | null = null;
  let closed = false;
  let retryMs = 100;
  const ident = (c: string) => `"${c}"`; // names are micelio_ + schema + [a-z0-9_] channels

  const connect = (): Promise<pg.Client | null> => {
    connecting ??= (async () => {
      while (!closed) {
        const c = new pg.Client({ connectionString: url });
        c.on("notification", (m) => deliver(m.channel, m.payload ?? ""));
        c.on("error", (err) => log?.warn({ err }, "bus connection failed"));
        try {
          await c.connect();
          for (const channel of channels()) await c.query(`LISTEN ${ident(channel)}`);
          c.once("end", () => {
            client = null;
            if (closed) return;
            log?.warn("bus connection ended; reconnecting");
            void connect().then((again) => again && lost());
          });
          client = c;
          retryMs = 100;
          return c;
        } catch (err) {
          log?.warn({ err }, "bus connection failed; retrying");
          await c.end().catch(() => {});
          await new Promise((r) => setTimeout(r, retryMs).unref());
          retryMs = Math.min(retryMs * 2, 5000);
        }
      }
      return null;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  return {
    async listen(channel) {
      const c = client ?? (await connect()); // a fresh connection LISTENs to every channel
      if (c && c === client) await c.query(`LISTEN ${ident(channel)}`);
    },
    async unlisten(channel) {
      await client?.query(`UNLISTEN ${ident(channel)}`);
    },
    async close() {
      closed = true;
      await connecting;
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
