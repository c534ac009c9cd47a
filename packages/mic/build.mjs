// Bundles mic's TypeScript sources into dist/mic.mjs with esbuild, so the command starts
// without compiling them first; the one file is all mic needs (node and git aside). Runs after `npm install` (the root's prepare script);
// bin/mic.js uses the bundle only while it is newer than every source file.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("src/main.ts", import.meta.url).pathname],
  outfile: new URL("dist/mic.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Everything but node's own modules is bundled (commander and @micelio/core's secret
  // scanner): importing commander from node_modules, a CommonJS package, costs more than
  // the rest of mic's start-up. Its require() calls of node modules go through createRequire.
  // The shebang lets the bundle run as a command by itself: the forge serves it at /mic.mjs,
  // installed as mic.mjs with a `mic` symlink beside it (node picks ESM from the real name).
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __micRequire } from "node:module";\nconst require = __micRequire(import.meta.url);',
  },
  logLevel: "warning",
});
