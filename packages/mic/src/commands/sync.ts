// `mic sync` and `mic resolve`: catch the session up with trunk. The forge replays the change
// onto trunk's head; when it cannot, mic replays it locally with `git merge-tree`, leaving
// conflict markers (labelled with trunk's position and the session's goal) and, for a file one
// side deleted and the other changed, the changed version with an explanation. `mic resolve
// --keep/--delete PATH` decides those; land and sync refuse until every conflict is resolved.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { fetchInto, fetchTrunk, moveCheckout, positionOf, pushSession } from "../checkout.ts";
import { request } from "../client.ts";
import { describe, exists, explain, labelMarkers, modifyDeletes, unresolvedPaths } from "../conflicts.ts";
import { type Connection, connection, isJson, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { git, showProgress } from "../git.ts";
import { healing } from "../heal.ts";
import { print } from "../output.ts";
import { commitTree, snapshot } from "../snapshot.ts";
import { uploadChange } from "../upload.ts";
import {
  requireSession,
  requireWorkspace,
  type SessionState,
  saveState,
  type Workspace,
} from "../workspace.ts";
import { inMount } from "./mount-work.ts";

/** Finishes a sync whose conflicts the user resolved: the working tree becomes the replay. */
export async function finishPending(ws: Workspace, conn: Connection, s: SessionState, progress: boolean) {
  const pending = s.pending!;
  const unresolved = unresolvedPaths(ws.root, pending);
  if (unresolved.length) {
    throw new CliError(
      `resolve the sync's conflicts first, then run mic land (or mic sync) again:\n${explain(pending, unresolved).join("\n")}`,
      EXIT.conflict,
      { session: s.id, conflicts: unresolved.map((path) => describe(pending, path)) },
    );
  }
  const snap = await snapshot(ws.root, s.goal, pending.commit);
  await pushSession(ws, conn, snap.commit, s.id, progress);
  await request(conn, "POST", `${projectPath(ws.state)}/sessions/${s.id}/sync`, {
    base: pending.position,
    commit: snap.commit,
  });
  ws.state.session = { id: s.id, goal: s.goal, base_position: pending.position, base_commit: pending.commit };
  saveState(ws.gitDir, ws.state);
  return ws.state.session;
}

/** Syncs the session; `quiet` leaves the printing to the land that follows. */
export async function syncSession(
  program: Command,
  ws: Workspace,
  conn: Connection,
  s: SessionState,
  quiet = false,
) {
  const progress = showProgress(isJson(program));
  if (s.pending) {
    s = await finishPending(ws, conn, s, progress);
    if (quiet) return;
    print(
      program,
      { session: s.id, base_position: s.base_position, conflicts: [] },
      `Resolved; session ${s.id} is on position ${s.base_position}`,
    );
    return;
  }
  const snap = await snapshot(ws.root, s.goal, s.base_commit);
  if (snap.changes.length) await uploadChange(ws, conn, s.id, snap, progress);
  const path = `${projectPath(ws.state)}/sessions/${s.id}`;
  try {
    const synced = await request<{
      base_position: number;
      base_commit: string | null;
      commit: string | null;
    }>(conn, "POST", `${path}/sync`, {});
    const trunk = await fetchTrunk(ws, conn, false);
    let target = synced.base_commit ?? trunk;
    if (synced.commit && snap.changes.length) {
      await fetchInto(ws, conn, `refs/sessions/${s.id}`, `refs/mic/sessions/${s.id}`);
      target = synced.commit;
    }
    if (target) await moveCheckout(ws.root, snap.commit, target, synced.base_commit);
    ws.state.session = { ...s, base_position: synced.base_position, base_commit: synced.base_commit };
    saveState(ws.gitDir, ws.state);
    if (quiet) return;
    print(
      program,
      {
        session: s.id,
        base_position: synced.base_position,
        base_commit: synced.base_commit,
        conflicts: [],
      },
      `Session ${s.id} is on position ${synced.base_position}`,
    );
  } catch (err) {
    if (!(err instanceof CliError) || err.code !== EXIT.conflict || !err.details?.conflicts) throw err;
    await replayWithMarkers(ws, conn, s, snap.commit);
  }
}

async function replayWithMarkers(ws: Workspace, conn: Connection, s: SessionState, snapCommit: string) {
  const trunk = await fetchTrunk(ws, conn, false);
  const position = await positionOf(ws, conn, trunk);
  const merged = await git(
    ["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", trunk ?? "", snapCommit],
    { cwd: ws.root, okCodes: [1] },
  );
  const [tree, ...conflicts] = merged.stdout.split("\0").filter(Boolean);
  const modify_delete = trunk
    ? await modifyDeletes(ws, conn, s.base_commit, trunk, snapCommit, conflicts)
    : [];
  const replay = await commitTree(ws.root, tree!, trunk, s.goal);
  await moveCheckout(ws.root, snapCommit, replay, trunk);
  labelMarkers(ws.root, conflicts, {
    [trunk ?? ""]: `trunk at position ${position}`,
    [snapCommit]: `session ${s.id}: ${s.goal.replace(/\s+/g, " ").slice(0, 80)}`,
  });
  const pending = { position, commit: trunk, conflicts, modify_delete };
  ws.state.session = { ...s, pending };
  saveState(ws.gitDir, ws.state);
  throw new CliError(
    `conflict: your change and trunk both changed ${conflicts.join(", ")}:\n${explain(pending, conflicts).join("\n")}\nthen run mic sync (or mic land)`,
    EXIT.conflict,
    { session: s.id, conflicts: conflicts.map((path) => describe(pending, path)), base_position: position },
  );
}

export function registerSync(program: Command) {
  program
    .command("sync")
    .description(
      "move the session's base to trunk's head, replaying its change (conflicts are left to resolve)",
    )
    .action(async () => {
      if (await inMount(program, "sync")) return;
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const conn = connection(program, ws.state.server);
      await healing(ws, conn, () => syncSession(program, ws, conn, s));
    });

  program
    .command("resolve")
    .description("after a sync: keep or delete a file one side deleted and the other changed")
    .argument("<paths...>", "the files, as mic sync named them")
    .option("--keep", "keep the file as it is in the working tree")
    .option("--delete", "delete the file (accept the deletion)")
    .action(async (paths: string[], opts: { keep?: boolean; delete?: boolean }) => {
      if (Boolean(opts.keep) === Boolean(opts.delete))
        throw new CliError(
          "say --keep or --delete: mic resolve --keep PATH or mic resolve --delete PATH",
          EXIT.usage,
        );
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const pending = s.pending;
      const decision = opts.keep ? "keep" : "delete";
      for (const path of paths) {
        const md = pending?.modify_delete?.find((d) => d.path === path);
        if (!md) {
          const listed = pending?.modify_delete?.map((d) => d.path).join(", ");
          throw new CliError(
            `${path} has no modify/delete conflict to resolve${listed ? ` (these do: ${listed})` : ""}; a file with conflict markers is resolved by editing it`,
            EXIT.usage,
          );
        }
        const file = join(ws.root, path);
        if (decision === "keep" && !exists(file))
          throw new CliError(
            `${path} is not in the working tree: restore it first, or use --delete`,
            EXIT.usage,
          );
        if (decision === "delete") rmSync(file, { force: true, recursive: true });
        md.decision = decision;
      }
      saveState(ws.gitDir, ws.state);
      const unresolved = unresolvedPaths(ws.root, pending!);
      print(
        program,
        { session: s.id, resolved: paths.map((path) => ({ path, decision })), unresolved },
        `${decision === "keep" ? "Keeping" : "Deleted"} ${paths.join(", ")}; ${
          unresolved.length ? `still to resolve: ${unresolved.join(", ")}` : "now run mic land (or mic sync)"
        }`,
      );
    });
}
