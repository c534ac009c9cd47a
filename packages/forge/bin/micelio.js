#!/usr/bin/env node
// Starts the forge from its bundle, dist/micelio.mjs (made by build.mjs at install). When a
// source file (the forge's or @micelio/core's) is newer than the bundle, or there is none,
// the bundle is built first, in a child process so esbuild stays out of the server's memory.
// If it cannot be built, the TypeScript sources run through tsx, so an edited source is never
// shadowed by an old bundle. MICELIO_TSX=1 runs the sources through tsx directly.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bundle = join(root, "dist", "micelio.mjs");
const sources = [join(root, "src"), join(root, "..", "core", "src")];

function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (mtime > max) max = mtime;
  }
  return max;
}

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    return sources.every((dir) => newest(dir) <= built);
  } catch {
    return false;
  }
}

function build() {
  const r = spawnSync(process.execPath, [join(root, "build.mjs")], { stdio: "inherit" });
  return r.status === 0;
}

if (process.env.MICELIO_TSX !== "1" && (bundleIsFresh() || build())) {
  await import(bundle);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
