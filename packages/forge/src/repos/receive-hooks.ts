// Wires the forge's hooks into `git receive-pack`: hooks live in this package (never in the
// repository, where a user could change them) and are selected with `-c core.hooksPath`.
// `core.alternateRefsCommand=true` (a command that prints nothing) keeps a fork's parent's
// refs out of receive-pack: not advertised as `.have` lines, and not taken as already
// reachable by its connectivity check. Forks also carry it in their own config
// (social/forks-repo.ts), which the advertisement (`--advertise-refs`) reads.
// The pre-receive check runs as compiled JavaScript (dist/pre-receive.mjs, built with the
// server's bundle by build.mjs) when the server runs from that bundle: no TypeScript loader
// per push. Run from its sources (tests, MICELIO_TSX=1), it runs the sources through tsx.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HOOKS = join(import.meta.dirname, "hooks");

/** The compiled hook beside this module's bundle, or "" when this module is not bundled. */
export function compiledHook(moduleUrl = import.meta.url): string {
  if (!moduleUrl.startsWith("file:") || !moduleUrl.endsWith(".mjs")) return "";
  const hook = fileURLToPath(new URL("pre-receive.mjs", moduleUrl));
  return existsSync(hook) ? hook : "";
}

const HOOK_JS = compiledHook();
let tsx: string | undefined;
/** tsx's loader, resolved only when the hook runs from its sources. */
const tsxLoader = () => {
  tsx ??= import.meta.resolve("tsx");
  return tsx;
};

export function receiveHookArgs(opts: { protectTrunk: boolean }): {
  args: string[];
  env: Record<string, string>;
} {
  return {
    args: ["-c", `core.hooksPath=${HOOKS}`, "-c", "core.alternateRefsCommand=true"],
    env: {
      MICELIO_NODE: process.execPath,
      MICELIO_HOOK_JS: HOOK_JS,
      MICELIO_TSX: HOOK_JS ? "" : tsxLoader(),
      MICELIO_HOOKS: HOOKS,
      MICELIO_PROTECT_TRUNK: opts.protectTrunk ? "1" : "0",
    },
  };
}
