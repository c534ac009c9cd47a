#!/usr/bin/env node
// Starts mic: from the bundle (dist/mic.mjs, made by build.mjs at install) when it is newer
// than every source file it holds, otherwise straight from the TypeScript sources through tsx, so an
// edited source is never shadowed by an old bundle. Without the sources (an npm install of
// the published package: bin/ and dist/ only) it runs the bundle.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bundle = join(root, "dist", "mic.mjs");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

// The bundle also holds @micelio/core's secret scanner (absent outside the repository).
function newestBundled() {
  let core = 0;
  try {
    core = newestSource(join(root, "..", "core", "src", "secrets"));
  } catch {}
  return Math.max(newestSource(join(root, "src")), core);
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestBundled();
  } catch {
    return false;
  }
}

// Installed from npm (or anywhere without the sources), the bundle is all there is.
const installed = !existsSync(join(root, "src"));

if (installed || bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
