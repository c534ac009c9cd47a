// Wires the forge's hooks into `git receive-pack`: hooks live in this package (never in the
// repository, where a user could change them) and are selected with `-c core.hooksPath`.
// `core.alternateRefsCommand=true` (a command that prints nothing) keeps a fork's parent's
// refs out of receive-pack: not advertised as `.have` lines, and not taken as already
// reachable by its connectivity check. Forks also carry it in their own config
// (social/forks-repo.ts), which the advertisement (`--advertise-refs`) reads.
import { join } from "node:path";

const HOOKS = join(import.meta.dirname, "hooks");
const TSX = import.meta.resolve("tsx");

export function receiveHookArgs(opts: { protectTrunk: boolean }): {
  args: string[];
  env: Record<string, string>;
} {
  return {
    args: ["-c", `core.hooksPath=${HOOKS}`, "-c", "core.alternateRefsCommand=true"],
    env: {
      MICELIO_NODE: process.execPath,
      MICELIO_TSX: TSX,
      MICELIO_HOOKS: HOOKS,
      MICELIO_PROTECT_TRUNK: opts.protectTrunk ? "1" : "0",
    },
  };
}
