// `mic status`, `mic diff`, `mic land` and `mic sync` in a mounted directory (mic mount): the
// same commands as in a checkout, answered by the mount's server, which holds the overlay.
import type { Command } from "commander";
import { CliError, EXIT } from "../exit-codes.ts";
import { control } from "../fs/control.ts";
import { mountAt } from "../fs/mounts.ts";
import { print } from "../output.ts";

type Change = { path: string; status: string };
const lines = (changes: Change[]) =>
  changes.length
    ? ["Changed files:", ...changes.map((c) => `  ${c.status.padEnd(9)} ${c.path}`)].join("\n")
    : "No changes";

/** Runs the command's mount form when the current directory is in a mount; false otherwise. */
export async function inMount(
  program: Command,
  op: "status" | "diff" | "land" | "sync",
  opts: { goal?: string } = {},
): Promise<boolean> {
  const m = mountAt();
  if (!m) return false;
  if (op === "status") {
    const s = await control<{
      project: string;
      server: string;
      base_position: number;
      head_position: number;
      changes: Change[];
    }>(m, { op });
    const behind = s.head_position - (s.base_position ?? s.head_position);
    print(
      program,
      { ...s, mount: m.path },
      `Mount of ${s.project} on ${s.server} at ${m.path}\nBase position ${s.base_position}${behind > 0 ? ` (${behind} behind trunk)` : ""}\n${lines(s.changes)}`,
    );
  } else if (op === "diff") {
    const d = await control<{ patch: string }>(m, { op });
    if (program.opts().json) print(program, d, "");
    else process.stdout.write(d.patch);
  } else if (op === "land") {
    if (!opts.goal) throw new CliError('in a mount, say why: mic land --goal "<goal>"', EXIT.usage);
    const r = await control<{ session: string; position: number; commit: string; changes: Change[] }>(m, {
      op,
      goal: opts.goal,
    });
    print(
      program,
      { ...r, goal: opts.goal },
      `Landed ${r.session} at position ${r.position} (${r.commit.slice(0, 12)}): ${opts.goal}`,
    );
  } else {
    const r = await control<{ from_position: number; position: number }>(m, { op });
    print(
      program,
      r,
      `Moved the mount from position ${r.from_position} to ${r.position}, keeping its changes`,
    );
  }
  return true;
}
