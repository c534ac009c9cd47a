// Test runner configuration: every package's tests, one run. The browser suite needs
// Debian's chromium (.ci/run installs it) and fails with a clear message without it.
import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "hono/jsx" } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/src/**/*.test.tsx", "packages/*/test/**/*.test.ts"],
    pool: "forks",
    // Test files share a worker's loaded modules (each still starts its own forge on its own
    // database): re-importing the forge for every file cost most of the suite's time.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
  },
});
