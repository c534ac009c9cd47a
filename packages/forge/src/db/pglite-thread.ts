// Embedded PGlite on a thread of its own (pglite-worker.mjs): the forge's thread sends each
// query as a message and gets its rows back, so PostgreSQL's WebAssembly runs on another
// core than the requests' JavaScript (with PGlite in process, about half of the forge's thread
// was spent inside it under load). Rows cross by structured clone (Dates, bytea's Uint8Array
// and JSON values arrive as they left); errors arrive as Errors with PostgreSQL's fields
// (code, detail, constraint…). If the thread dies, every waiting and later call fails with an
// error instead of hanging, and the forge stays up.
import { join } from "node:path";
import { Worker } from "node:worker_threads";

/** What the forge uses of PGlite, in process or on its thread. */
export interface LiteEngine {
  query<T = any>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  dumpDataDir(compression: "none"): Promise<Blob | File>;
  close(): Promise<void>;
}

type Reply = { id: number; ok: boolean; value?: any; error?: Record<string, unknown> };

export async function startPgliteThread(opts: {
  dir?: string;
  loadDataDir?: Blob;
  /** `name=value` settings added to PGlite's default start parameters. */
  settings: string[];
}): Promise<LiteEngine> {
  const loadDataDir = opts.loadDataDir ? new Uint8Array(await opts.loadDataDir.arrayBuffer()) : undefined;
  const worker = new Worker(join(import.meta.dirname, "pglite-worker.mjs"), {
    workerData: { dir: opts.dir, settings: opts.settings, loadDataDir },
    // None of the parent's flags: a loader (tsx) or `--input-type` given for an `--eval`
    // would stop the plain JavaScript worker from starting.
    execArgv: [],
    transferList: loadDataDir ? [loadDataDir.buffer] : [],
  });
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let next = 0;
  let dead: Error | null = null;
  let ready!: () => void;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    worker.once("error", reject);
  });
  const die = (err: Error) => {
    dead ??= err;
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
  };
  worker.on("error", (err) => die(new Error(`the database thread failed: ${err.message}`)));
  worker.on("exit", (code) => die(new Error(`the database thread exited (${code})`)));
  worker.on("message", (m: Reply & { ready?: true; channel?: string; payload?: string }) => {
    if (m.ready) return ready();
    if (m.channel !== undefined) {
      for (const fn of listeners.get(m.channel) ?? []) fn(m.payload ?? "");
      return;
    }
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (m.ok) w.resolve(m.value);
    else w.reject(Object.assign(new Error(String(m.error?.message)), m.error));
  });
  const call = (op: string, args: Record<string, unknown> = {}): Promise<any> => {
    if (dead) return Promise.reject(dead);
    const id = next++;
    if (waiting.size === 0) worker.ref(); // a call in flight keeps the process alive, an idle thread does not
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, ...args });
    });
  };
  await started;
  worker.unref();
  return {
    query: (sql, params = []) => call("query", { sql, params }),
    exec: (sql) => call("exec", { sql }),
    async listen(channel, fn) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await call("listen", { channel }).catch((err) => {
          listeners.delete(channel); // the next listen asks the thread again
          throw err;
        });
      }
      set.add(fn);
      return async () => {
        const current = listeners.get(channel);
        if (!current?.delete(fn) || current.size > 0) return;
        listeners.delete(channel);
        await call("unlisten", { channel }).catch(() => {});
      };
    },
    dumpDataDir: async () => new Blob([await call("dump")]),
    async close() {
      if (!dead) await call("close").catch(() => {});
      await worker.terminate();
    },
  };
}
