// Creates embedded PGlite the one way the forge uses it — PGlite's default start parameters
// plus `settings` (each `-c name=value`), and pg_trgm (typo-tolerant search; migration 0009
// creates the extension) — for the caller's thread (pglite-open.ts), PGlite's own thread
// (pglite-worker.mjs) and initdb's child process. Plain JavaScript so all three can load it;
// PGlite itself loads on first call.

/** PGlite's default start parameters with `settings` added. */
const startParamsOf = (PGlite, settings) => [
  ...PGlite.defaultStartParams,
  ...settings.flatMap((s) => ["-c", s]),
];

export async function createPglite({ dir, loadDataDir, settings }) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const options = { extensions: { pg_trgm }, startParams: startParamsOf(PGlite, settings) };
  return dir ? PGlite.create(dir, options) : PGlite.create({ ...options, loadDataDir });
}

/** Initializes a new data directory (initdb) and closes it again. */
export async function initPglite(dir, settings) {
  const { PGlite } = await import("@electric-sql/pglite");
  const lite = new PGlite(dir, { startParams: startParamsOf(PGlite, settings) });
  await lite.waitReady;
  await lite.close();
}
