// The `micelio` command: `micelio serve` runs the forge until SIGTERM or SIGINT.
import { loadConfig } from "./config/config.ts";
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
  process.stdout.write(`\nMicelio is running at ${running.url}\n\n`);
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
if (command === "serve") {
  serveCommand().catch((err) => {
    process.stderr.write(`micelio: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
} else if (command === "--help" || command === "help") {
  process.stdout.write(
    "Usage: micelio serve\n\nRuns the forge. Settings come from the environment; see README.md.\n",
  );
} else {
  process.stderr.write(`micelio: unknown command ${command} (try: micelio serve)\n`);
  process.exit(1);
}
