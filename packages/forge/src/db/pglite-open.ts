// Opens embedded PGlite with settings for a small process. PGlite loads only here (the
// PostgreSQL path never does), with:
// - shared_buffers=16MB (PostgreSQL's default, 128MB, is allocated and zeroed inside the
//   WASM heap at start, so it is resident from the first second; pages missing from the
//   buffers are read from files the OS caches anyway);
// - a new data directory initialized (initdb) in a short-lived child process: initdb runs a
//   second PostgreSQL instance whose ~150 MiB the server process would otherwise keep until
//   it restarts;
// - on a thread of its own when asked (the server, by default: pglite-thread.ts, ADR 33), else
//   on the caller's.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { createPglite } from "./pglite-create.mjs";
import { type LiteEngine, startPgliteThread } from "./pglite-thread.ts";

/** `-c name=value` settings added to PGlite's default start parameters. */
export const PGLITE_SETTINGS = ["shared_buffers=16MB"];

const INITDB = `const [url, dir, settings] = JSON.parse(process.argv[1]);
const { initPglite } = await import(url);
await initPglite(dir, settings);`;

/**
 * Whether the server runs PGlite on its own thread (pglite-thread.ts): MICELIO_PGLITE_THREAD,
 * on unless set to 0.
 */
export const pgliteOnThread = () => process.env.MICELIO_PGLITE_THREAD !== "0";

export async function openPglite(opts: {
  dir?: string;
  loadDataDir?: Blob;
  thread?: boolean;
}): Promise<LiteEngine> {
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    if (!existsSync(join(opts.dir, "PG_VERSION"))) {
      const create = pathToFileURL(join(import.meta.dirname, "pglite-create.mjs")).href;
      const args = JSON.stringify([create, opts.dir, PGLITE_SETTINGS]);
      await promisify(execFile)(process.execPath, ["--input-type=module", "-e", INITDB, args], {
        maxBuffer: 16 << 20,
      });
    }
  }
  if (opts.thread)
    return startPgliteThread({ dir: opts.dir, loadDataDir: opts.loadDataDir, settings: PGLITE_SETTINGS });
  return createPglite({ dir: opts.dir, loadDataDir: opts.loadDataDir, settings: PGLITE_SETTINGS });
}
