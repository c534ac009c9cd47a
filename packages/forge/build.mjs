// Bundles the forge's TypeScript sources (and @micelio/core's) into dist/micelio.mjs with
// esbuild, so `npm start` runs plain JavaScript: no TypeScript loader, no esbuild service
// process beside the server, one file to parse. The git hook receive-pack runs on every push
// (src/repos/hooks/pre-receive.ts) is bundled the same way, into dist/pre-receive.mjs, and
// used whenever the server itself runs from dist/ (repos/receive-hooks.ts). Runs after `npm install` (the root's prepare
// script), and from bin/micelio.js whenever a source is newer than the bundle.
// npm packages stay external (loaded from node_modules at run time, lazily where the sources
// import them with import()). Files the sources read beside themselves (SQL migrations, git
// hooks, the stylesheet, templates) stay in src/: each module's `import.meta.dirname` is
// rewritten to its source directory, relative to the bundle.
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { build } from "esbuild";

const root = import.meta.dirname;
const outdir = join(root, "dist");

/** Bundles workspace packages (TypeScript); leaves every other package to node_modules. */
const externals = {
  name: "externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@micelio/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** Points `import.meta.dirname` of each source module at that module's own directory. */
const sourceDirs = {
  name: "source-dirs",
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const loader = args.path.endsWith(".tsx") ? "tsx" : "ts";
      if (!text.includes("import.meta.dirname")) return { contents: text, loader };
      const dir = JSON.stringify(relative(outdir, dirname(args.path)));
      return {
        contents: text.replaceAll("import.meta.dirname", `__micelioJoin(import.meta.dirname, ${dir})`),
        loader,
      };
    });
  },
};

const started = performance.now();
const bundle = (entry, out) =>
  build({
    entryPoints: [entry],
    outfile: join(outdir, out),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    banner: { js: 'import { join as __micelioJoin } from "node:path";' },
    plugins: [externals, sourceDirs],
    logLevel: "warning",
  });
await Promise.all([
  bundle(join(root, "src", "main.ts"), "micelio.mjs"),
  bundle(join(root, "src", "repos", "hooks", "pre-receive.ts"), "pre-receive.mjs"),
]);
if (process.argv.includes("--verbose")) {
  process.stderr.write(
    `built dist/micelio.mjs and dist/pre-receive.mjs in ${Math.round(performance.now() - started)} ms\n`,
  );
}
