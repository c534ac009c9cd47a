// The embedded database's own thread (db/pglite-thread.ts starts it): PGlite runs here, so
// its WebAssembly PostgreSQL executes queries on a second core while the forge's thread
// serves requests. Plain JavaScript beside the sources, so that the same file serves the
// TypeScript sources, the tests and the bundle. Messages: {id, op, ...} in, {id, ok, value |
// error} out; notifications as {channel, payload}.
import { parentPort, workerData } from "node:worker_threads";
import { createPglite } from "./pglite-create.mjs";

const { dir, settings, loadDataDir } = workerData;
const lite = await createPglite({ dir, settings, loadDataDir: loadDataDir && new Blob([loadDataDir]) });

const stops = new Map();

/** An error as plain data: its message and PostgreSQL's fields (code, detail, constraint…). */
function plain(err) {
  const out = { message: String(err?.message ?? err) };
  for (const [k, v] of Object.entries(err ?? {}))
    if (typeof v !== "object" && typeof v !== "function") out[k] = v;
  return out;
}

const ops = {
  async query({ sql, params }) {
    const r = await lite.query(sql, params);
    return { rows: r.rows, affectedRows: r.affectedRows };
  },
  async exec({ sql }) {
    await lite.exec(sql);
  },
  async listen({ channel }) {
    if (!stops.has(channel))
      stops.set(
        channel,
        await lite.listen(channel, (payload) => parentPort.postMessage({ channel, payload })),
      );
  },
  async unlisten({ channel }) {
    const stop = stops.get(channel);
    stops.delete(channel);
    await stop?.();
  },
  async dump() {
    const file = await lite.dumpDataDir("none");
    return new Uint8Array(await file.arrayBuffer());
  },
  async close() {
    await lite.close();
  },
};

parentPort.on("message", async (m) => {
  try {
    const value = await ops[m.op](m);
    parentPort.postMessage({ id: m.id, ok: true, value });
    if (m.op === "close") parentPort.close();
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, error: plain(err) });
  }
});
parentPort.postMessage({ ready: true });
