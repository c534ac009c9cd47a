// The `micelio` command: `micelio serve` runs the forge until SIGTERM or SIGINT; with
// MICELIO_WORKERS=N it runs N forge processes sharing the port (ops/cluster.ts);
// `micelio advisories import FILE...` loads OSV advisories (checks/audit/advisories-cli.ts).
import cluster from "node:cluster";
import { join } from "node:path";
import { ADVISORIES_USAGE, advisoriesCommand } from "./checks/audit/advisories-cli.ts";
import { loadConfig } from "./config/config.ts";
import { ROTATE_USAGE, rotateKeyCommand } from "./crypto/rotate-key-cli.ts";
import { openDatabase } from "./db/db.ts";
import { announceWorker, clusterRefusal, runPrimary, workerCount } from "./ops/cluster.ts";
import { installLastResort } from "./ops/last-resort.ts";
import { createLogger } from "./ops/logger.ts";
import { startForge } from "./server.ts";

async function serveCommand() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // Last resort, see ops/last-resort.ts: log and keep serving rather than exit on an escaped error.
  installLastResort(log);
  const running = await startForge(config, { log });
  log.info(
    { url: running.url, dataDir: config.dataDir, database: config.databaseUrl ? "postgres" : "pglite" },
    "forge started",
  );
  if (!announceWorker(running.url)) process.stdout.write(`\nMicelio is running at ${running.url}\n\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: finishing in-flight requests and jobs");
    const force = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    await running.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

const [command = "serve"] = process.argv.slice(2);
/** With MICELIO_WORKERS > 1, the primary process: starts and watches the workers. */
async function clusterCommand(workers: number) {
  const refusal = clusterRefusal(workers, process.env);
  if (refusal) throw new Error(refusal);
  const log = createLogger(loadConfig().logLevel);
  log.info({ workers }, "starting forge workers");
  const code = await runPrimary(workers, log, (url) =>
    process.stdout.write(`\nMicelio is running at ${url} (${workers} processes)\n\n`),
  );
  process.exit(code);
}

if (command === "serve") {
  const run = async () => {
    const workers = cluster.isPrimary ? workerCount(process.env) : 1;
    return workers > 1 ? clusterCommand(workers) : serveCommand();
  };
  run().catch((err) => {
    process.stderr.write(`micelio: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
} else if (command === "advisories") {
  const config = loadConfig();
  runDatabaseCommand((io) => advisoriesCommand(process.argv.slice(3), io), config);
} else if (command === "rotate-key") {
  const config = loadConfig();
  runDatabaseCommand((io) => rotateKeyCommand(config, io), config);
} else if (command === "--help" || command === "help") {
  process.stdout.write(
    `Usage: micelio serve\n\nRuns the forge. Settings come from the environment; see README.md.\n\n${ADVISORIES_USAGE}\n${ROTATE_USAGE}`,
  );
} else {
  process.stderr.write(
    `micelio: unknown command ${command} (try: micelio serve, micelio advisories import FILE..., micelio rotate-key)\n`,
  );
  process.exit(1);
}

/** Runs a command on the configured database with stdout/stderr, exiting with its code. */
function runDatabaseCommand(
  command: (io: {
    open: () => ReturnType<typeof openDatabase>;
    out: (t: string) => void;
    err: (t: string) => void;
  }) => Promise<number>,
  config: ReturnType<typeof loadConfig>,
) {
  command({
    open: () =>
      openDatabase({
        url: config.databaseUrl,
        schema: config.databaseSchema,
        dir: config.databaseUrl ? undefined : join(config.dataDir, "db"),
      }),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  }).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`micelio: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
