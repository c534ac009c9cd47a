// Starts a real forge on a random port for a test file, on its own database (PGlite in
// memory, or a fresh PostgreSQL schema when DATABASE_URL is set) and its own data directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/config.ts";
import { createLogger } from "../ops/logger.ts";
import { type RunningForge, startForge } from "../server.ts";
import { testDatabase } from "./database.ts";

export interface TestForge extends RunningForge {
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestForge(env: Record<string, string> = {}): Promise<TestForge> {
  const dataDir = mkdtempSync(join(tmpdir(), "micelio-test-"));
  const { handle, cleanup } = await testDatabase({ migrate: false, template: true });
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    MICELIO_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    MICELIO_RATE_LIMIT_ANON: "100000",
    MICELIO_RATE_LIMIT_USER: "100000",
    // Keeps pages in the plain style so browser tests and screenshots stay stable.
    MICELIO_DAILY_THEME: "off",
    // Limits and abuse thresholds out of the way unless a test sets them (limits/, abuse/).
    MICELIO_RATE_LIMIT_AGENT: "100000",
    MICELIO_PROJECT_LIMIT: "100000",
    MICELIO_LOGIN_MAX_FAILURES: "100000",
    MICELIO_LOGIN_MAX_FAILURES_IP: "100000",
    MICELIO_ABUSE_SIGNUPS_PER_IP: "100000",
    MICELIO_ABUSE_PROJECTS_PER_HOUR: "100000",
    MICELIO_ABUSE_LINKS: "100000",
    MICELIO_ABUSE_FAILED_PUSHES: "100000",
    ...env,
  });
  const running = await startForge(config, { database: handle, log: createLogger(config.logLevel) });
  return {
    ...running,
    dataDir,
    async close() {
      await running.stop();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
