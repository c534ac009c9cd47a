// Wires the forge's hooks into `git receive-pack`: hooks live in this package (never in the
// repository, where a user could change them) and are selected with `-c core.hooksPath`.
import { join } from "node:path";

const HOOKS = join(import.meta.dirname, "hooks");
const TSX = import.meta.resolve("tsx");

export function receiveHookArgs(opts: { protectTrunk: boolean }): {
  args: string[];
  env: Record<string, string>;
} {
  return {
    args: ["-c", `core.hooksPath=${HOOKS}`],
    env: {
      MICELIO_NODE: process.execPath,
      MICELIO_TSX: TSX,
      MICELIO_HOOKS: HOOKS,
      MICELIO_PROTECT_TRUNK: opts.protectTrunk ? "1" : "0",
    },
  };
}
