// `mic status` and `mic diff`: the open session, its base, and what the working tree changes
// relative to that base (tracked and untracked files alike, as the landing will see them).
import type { Command } from "commander";
import { request } from "../client.ts";
import { explain, unresolvedPaths } from "../conflicts.ts";
import { connection, projectPath } from "../context.ts";
import { git } from "../git.ts";
import { print } from "../output.ts";
import { changesBetween, EMPTY_TREE, worktreeTree } from "../snapshot.ts";
import { headCommit, requireWorkspace, type Workspace } from "../workspace.ts";
import { inMount } from "./mount-work.ts";

/** The commit the working tree is compared with: the session's base, else HEAD. */
async function baseOf(ws: Workspace) {
  const s = ws.state.session;
  if (s?.pending) return s.pending.commit;
  return s ? s.base_commit : await headCommit(ws.root);
}

export function registerStatus(program: Command) {
  program
    .command("status")
    .description("show the open session, its base position, trunk's head and the changed files")
    .action(async () => {
      if (await inMount(program, "status")) return;
      const ws = await requireWorkspace();
      const conn = connection(program, ws.state.server);
      const project = await request<{ head_position: number }>(conn, "GET", projectPath(ws.state));
      const base = await baseOf(ws);
      const changes = await changesBetween(ws.root, base, await worktreeTree(ws.root));
      const s = ws.state.session;
      const doc = {
        server: ws.state.server,
        project: `${ws.state.owner}/${ws.state.project}`,
        session: s ? { id: s.id, goal: s.goal } : null,
        base_position: s ? (s.pending?.position ?? s.base_position) : null,
        head_position: project.head_position,
        conflicts: s?.pending ? unresolvedPaths(ws.root, s.pending) : [],
        changes,
      };
      const lines = [
        `Project ${doc.project} on ${doc.server} (trunk at position ${project.head_position})`,
        s
          ? `Session ${s.id}: ${s.goal}\nBase position ${doc.base_position}${
              doc.base_position !== null && doc.base_position < project.head_position
                ? ` (${project.head_position - doc.base_position} behind trunk)`
                : ""
            }`
          : 'No open session (mic session start "<goal>")',
        ...(doc.conflicts.length
          ? ["Unresolved sync conflicts:", ...explain(s!.pending!, doc.conflicts)]
          : []),
        changes.length
          ? ["Changed files:", ...changes.map((c) => `  ${c.status.padEnd(9)} ${c.path}`)].join("\n")
          : "No changes",
      ];
      print(program, doc, lines.join("\n"));
    });

  program
    .command("diff")
    .description("show the session's change: the working tree against the session's base")
    .option("--stat", "only a summary of changed files")
    .action(async (opts: { stat?: boolean }) => {
      if (await inMount(program, "diff")) return;
      const ws = await requireWorkspace();
      const base = (await baseOf(ws)) ?? EMPTY_TREE;
      const tree = await worktreeTree(ws.root);
      const json = program.opts().json === true;
      const format = opts.stat ? ["--stat"] : ["--patch"];
      const color = !json && process.stdout.isTTY ? "--color=always" : "--no-color";
      const patch = await git(["diff", "--no-ext-diff", color, ...format, base, tree], { cwd: ws.root });
      if (!json) {
        process.stdout.write(patch.stdout);
        return;
      }
      const numstat = await git(["diff", "--numstat", "-z", "--no-renames", base, tree], { cwd: ws.root });
      const files = numstat.stdout
        .split("\0")
        .filter(Boolean)
        .map((line) => {
          const [added, removed, path] = line.split("\t");
          const binary = added === "-";
          return {
            path,
            added: binary ? null : Number(added),
            removed: binary ? null : Number(removed),
            binary,
          };
        });
      print(program, { base: base === EMPTY_TREE ? null : base, files, patch: patch.stdout }, "");
    });
}
