// `mic land`, `mic abandon`, `mic propose`: put the working tree's change on trunk, give the
// session up, or (in a fork) offer it to the parent. On a conflict, land prints each path with
// the session that touched it and exits 3 (`mic sync`, in sync.ts, is what helps; `--sync`
// runs it and lands again). A sync's unresolved conflicts keep land refusing.

import type { Command } from "commander";
import { moveCheckout, receiveLanded } from "../checkout.ts";
import { request } from "../client.ts";
import { type Connection, connection, isJson, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { git, showProgress } from "../git.ts";
import { clearClosed, healing, serverStatus } from "../heal.ts";
import { print } from "../output.ts";
import { snapshot } from "../snapshot.ts";
import { uploadChange } from "../upload.ts";
import { explainValidation } from "../validation.ts";
import {
  requireSession,
  requireWorkspace,
  type SessionState,
  saveState,
  type Workspace,
} from "../workspace.ts";
import { landSignature } from "./attest.ts";
import { landPreview } from "./land-preview.ts";
import { landSessionById } from "./maintain.ts";
import { inMount } from "./mount-work.ts";
import { finishPending, syncSession } from "./sync.ts";

interface Conflict {
  path: string;
  position?: number;
  session_id?: string;
  goal?: string;
  author?: string;
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
    .option(
      "--goal <text>",
      "in a mounted directory (mic mount): why, for the session the mount's changes land as",
    )
    .action(
      async (
        id: string | undefined,
        opts: { project?: string; sync?: boolean; dryRun?: boolean; goal?: string },
      ) => {
        if (id) return landSessionById(program, id, opts.project);
        if (!opts.project && (await inMount(program, "land", opts))) return;
        if (opts.project)
          throw new CliError(
            "--project needs a session: mic land SESSION --project OWNER/PROJECT",
            EXIT.usage,
          );
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
            await syncSession(program, ws, conn, s, true);
            await landSession(program, ws, conn, ws.state.session!);
          }
        });
      },
    );

  const LAND_TIMEOUT_MS = 60 * 60_000;

  async function landSession(program: Command, ws: Workspace, conn: Connection, s: SessionState) {
    const progress = showProgress(isJson(program));
    if (s.pending) s = await finishPending(ws, conn, s, progress);
    const snap = await snapshot(ws.root, s.goal, s.base_commit);
    if (snap.changes.length === 0)
      throw new CliError("nothing to land: the working tree equals the session's base", EXIT.usage);
    await uploadChange(ws, conn, s.id, snap, progress);
    let landed: {
      position: number;
      commit: string;
      commit_object?: string;
      validation?: { score: number | null; confidence: number | null; iteration: number } | null;
    };
    try {
      // A land may wait on the project's validation steps (the quality gate): allow them time.
      // With a signing key (mic key create), the session's content is signed as it lands.
      const signed = await landSignature(conn, `${projectPath(ws.state)}/sessions/${s.id}`, snap.tree);
      landed = await request(
        { ...conn, timeoutMs: LAND_TIMEOUT_MS },
        "POST",
        `${projectPath(ws.state)}/sessions/${s.id}/land`,
        signed ?? undefined,
      );
    } catch (err) {
      if (err instanceof CliError && err.code === EXIT.validationFailed) throw explainValidation(err);
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
        validation: landed.validation ?? null,
      },
      `Landed ${s.id} at position ${landed.position} (${landed.commit.slice(0, 12)}): ${s.goal}${
        landed.validation
          ? `\nvalidation passed: score ${landed.validation.score}, confidence ${landed.validation.confidence} (attempt ${landed.validation.iteration})`
          : ""
      }`,
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
      const snap = await snapshot(ws.root, s.goal, s.base_commit);
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
