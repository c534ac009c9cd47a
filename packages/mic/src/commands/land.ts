// `mic land`, `mic sync`, `mic abandon`, `mic propose`: put the working tree's change on
// trunk, catch the session up with trunk, give it up, or (in a fork) offer it to the parent. On a conflict, land prints each path with the session
// that touched it and exits 3; sync replays the change onto trunk's head, leaving conflict
// markers in the working tree when git cannot merge a file by itself.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { fetchInto, fetchTrunk, moveCheckout, positionOf, pushSession, receiveLanded } from "../checkout.ts";
import { request } from "../client.ts";
import { type Connection, connection, isJson, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { git, showProgress } from "../git.ts";
import { clearClosed, healing, serverStatus } from "../heal.ts";
import { print } from "../output.ts";
import { commitTree, rawChangesBetween, worktreeTree } from "../snapshot.ts";
import { uploadChange } from "../upload.ts";
import {
  requireSession,
  requireWorkspace,
  type SessionState,
  saveState,
  type Workspace,
} from "../workspace.ts";
import { landPreview } from "./land-preview.ts";
import { landSessionById } from "./maintain.ts";

interface Conflict {
  path: string;
  position?: number;
  session_id?: string;
  goal?: string;
  author?: string;
}

/** Captures the working tree as the session's commit on `parent`. */
async function snapshot(ws: Workspace, s: SessionState, parent: string | null) {
  const tree = await worktreeTree(ws.root);
  const commit = await commitTree(ws.root, tree, parent, s.goal);
  const raw = await rawChangesBetween(ws.root, parent, tree);
  const changes = raw.map(({ path, status }) => ({ path, status }));
  return { base: parent, tree, commit, raw, changes };
}

/** Finishes a sync whose conflicts the user resolved: the working tree becomes the replay. */
async function finishPending(ws: Workspace, conn: Connection, s: SessionState, progress: boolean) {
  const pending = s.pending!;
  const unresolved = pending.conflicts.filter((p) => hasMarkers(join(ws.root, p)));
  if (unresolved.length) {
    throw new CliError(`resolve the conflict markers first: ${unresolved.join(", ")}`, EXIT.conflict, {
      conflicts: unresolved.map((path) => ({ path })),
    });
  }
  const snap = await snapshot(ws, s, pending.commit);
  await pushSession(ws, conn, snap.commit, s.id, progress);
  await request(conn, "POST", `${projectPath(ws.state)}/sessions/${s.id}/sync`, {
    base: pending.position,
    commit: snap.commit,
  });
  ws.state.session = { id: s.id, goal: s.goal, base_position: pending.position, base_commit: pending.commit };
  saveState(ws.gitDir, ws.state);
  return ws.state.session;
}

/** Conflict markers name trunk's position and the session's goal instead of raw commit ids. */
function labelMarkers(root: string, paths: string[], labels: Record<string, string>) {
  for (const path of paths) {
    const file = join(root, path);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // deleted on one side: nothing to label
    }
    const labelled = text.replace(/^(<{7}|>{7}) ([0-9a-f]{40})(?=:|$)/gm, (line, marker, id) =>
      labels[id] ? `${marker} ${labels[id]}` : line,
    );
    if (labelled !== text) writeFileSync(file, labelled);
  }
}

function hasMarkers(file: string) {
  try {
    return /^(<{7} |>{7} )/m.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

export function registerLand(program: Command) {
  program
    .command("land")
    .description("upload the working tree's change to the session and land it on trunk (exit 3 on conflict)")
    .argument("[session]", "maintainers: land this session of --project (e.g. one proposed from a fork)")
    .option("--project <owner/project>", "with a session: its project (default: the checkout's)")
    .option(
      "--sync",
      "on a conflict, sync and land again in one step when the sync is clean (else exit 3 with markers)",
    )
    .option(
      "--dry-run",
      "show what would land (files, untracked ones flagged), conflicts, protection and review state",
    )
    .action(async (id: string | undefined, opts: { project?: string; sync?: boolean; dryRun?: boolean }) => {
      if (id) return landSessionById(program, id, opts.project);
      if (opts.project)
        throw new CliError("--project needs a session: mic land SESSION --project OWNER/PROJECT", EXIT.usage);
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const conn = connection(program, ws.state.server);
      if (opts.dryRun) return landPreview(program, ws, conn, s);
      await healing(ws, conn, async () => {
        try {
          await landSession(program, ws, conn, s);
        } catch (err) {
          if (
            !opts.sync ||
            !(err instanceof CliError) ||
            err.code !== EXIT.conflict ||
            !err.details.conflicts
          )
            throw err;
          await syncSession(ws, conn, s, true);
          await landSession(program, ws, conn, ws.state.session!);
        }
      });
    });

  async function landSession(program: Command, ws: Workspace, conn: Connection, s: SessionState) {
    const progress = showProgress(isJson(program));
    if (s.pending) s = await finishPending(ws, conn, s, progress);
    const snap = await snapshot(ws, s, s.base_commit);
    if (snap.changes.length === 0)
      throw new CliError("nothing to land: the working tree equals the session's base", EXIT.usage);
    await uploadChange(ws, conn, s.id, snap, progress);
    let landed: { position: number; commit: string; commit_object?: string };
    try {
      landed = await request(conn, "POST", `${projectPath(ws.state)}/sessions/${s.id}/land`);
    } catch (err) {
      const conflicts = (err as CliError).details?.conflicts as Conflict[] | undefined;
      if (err instanceof CliError && err.code === EXIT.conflict && conflicts?.length) {
        const lines = conflicts.map(
          (c) =>
            `  ${c.path}${c.position ? `  (position ${c.position}, session ${c.session_id}: ${c.goal})` : ""}`,
        );
        throw new CliError(
          `conflict: trunk changed these paths since your base; run mic sync, then mic land\n${lines.join("\n")}`,
          EXIT.conflict,
          { conflicts },
        );
      }
      throw err;
    }
    if ((await receiveLanded(ws, conn, snap, landed)) === "written")
      // The landed tree is the snapshot's: only HEAD and the index move.
      await git(["reset", "--quiet", "--mixed", landed.commit], { cwd: ws.root });
    else await moveCheckout(ws.root, snap.commit, landed.commit);
    delete ws.state.session;
    saveState(ws.gitDir, ws.state);
    print(
      program,
      {
        session: s.id,
        goal: s.goal,
        position: landed.position,
        commit: landed.commit,
        changes: snap.changes,
      },
      `Landed ${s.id} at position ${landed.position} (${landed.commit.slice(0, 12)}): ${s.goal}`,
    );
  }

  program
    .command("propose")
    .description("in a fork: upload the working tree's change and offer the session to the parent project")
    .action(async () => {
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      if (s.pending)
        throw new CliError(
          "finish the sync first: resolve the conflicts, then mic land or mic sync",
          EXIT.usage,
        );
      const conn = connection(program, ws.state.server);
      const snap = await snapshot(ws, s, s.base_commit);
      if (snap.changes.length === 0)
        throw new CliError("nothing to propose: the working tree equals the session's base", EXIT.usage);
      await uploadChange(ws, conn, s.id, snap, showProgress(isJson(program)));
      const r = await request<{ project: string; session: { id: string } }>(
        conn,
        "POST",
        `${projectPath(ws.state)}/sessions/${s.id}/propose`,
      );
      print(
        program,
        { session: s.id, goal: s.goal, project: r.project, incoming: r.session, changes: snap.changes },
        `Proposed ${s.id} to ${r.project} as session ${r.session.id}: its maintainers can land it`,
      );
    });

  program
    .command("sync")
    .description(
      "move the session's base to trunk's head, replaying its change (conflicts are left to resolve)",
    )
    .action(async () => {
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const conn = connection(program, ws.state.server);
      await healing(ws, conn, () => syncSession(ws, conn, s));
    });

  /** Syncs the session; `quiet` leaves the printing to the land that follows. */
  async function syncSession(ws: Workspace, conn: Connection, s: SessionState, quiet = false) {
    const progress = showProgress(isJson(program));
    if (s.pending) {
      s = await finishPending(ws, conn, s, progress);
      print(
        program,
        { session: s.id, base_position: s.base_position, conflicts: [] },
        `Resolved; session ${s.id} is on position ${s.base_position}`,
      );
      return;
    }
    const snap = await snapshot(ws, s, s.base_commit);
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
      {
        cwd: ws.root,
        okCodes: [1],
      },
    );
    const [tree, ...conflicts] = merged.stdout.split("\0").filter(Boolean);
    const replay = await commitTree(ws.root, tree!, trunk, s.goal);
    await moveCheckout(ws.root, snapCommit, replay, trunk);
    labelMarkers(ws.root, conflicts, {
      [trunk ?? ""]: `trunk at position ${position}`,
      [snapCommit]: `session ${s.id}: ${s.goal.replace(/\s+/g, " ").slice(0, 80)}`,
    });
    ws.state.session = { ...s, pending: { position, commit: trunk, conflicts } };
    saveState(ws.gitDir, ws.state);
    throw new CliError(
      `conflict: your change and trunk both edited ${conflicts.join(", ")}; fix the marked lines, then run mic sync (or mic land)`,
      EXIT.conflict,
      { conflicts: conflicts.map((path) => ({ path })), base_position: position },
    );
  }

  program
    .command("abandon")
    .description("abandon the open session (your working tree is left as it is)")
    .action(async () => {
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const conn = connection(program, ws.state.server);
      let done: Record<string, unknown>;
      try {
        done = await request(conn, "POST", `${projectPath(ws.state)}/sessions/${s.id}/abandon`);
      } catch (err) {
        // Closed already: what abandon wants is done; the checkout lets go of it.
        if (!(err instanceof CliError) || err.code !== EXIT.sessionClosed) throw err;
        const status = (await serverStatus(ws, conn)) ?? "closed";
        const said = clearClosed(ws, status);
        print(program, { id: s.id, status, healed: true }, `Nothing to abandon: ${said}`);
        return;
      }
      delete ws.state.session;
      saveState(ws.gitDir, ws.state);
      print(program, done, `Abandoned ${s.id}; your edits are still in the working tree`);
    });
}
