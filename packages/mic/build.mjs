// Bundles mic's TypeScript sources into dist/mic.mjs with esbuild, so the command starts
// without compiling them first. Runs after `npm install` (the root's prepare script);
// bin/mic.js uses the bundle only while it is newer than every source file.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("src/main.ts", import.meta.url).pathname],
  outfile: new URL("dist/mic.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // commander and node's own modules are loaded from node_modules at run time.
  packages: "external",
  logLevel: "warning",
});
