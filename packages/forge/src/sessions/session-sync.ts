// Sync: move an open session's base forward to a later trunk position (by default the head),
// replaying its change on top with `git merge-tree` (a 409 says how each path conflicts:
// `content`, or `modify_delete` with the side that deleted it). A client that did the replay
// itself (for instance after resolving conflicts by hand) pushes it to the session's ref and
// gives the commit: it must be that ref's tip (never any object the repository happens to hold,
// which in a fork includes its parent's private history, borrowed through alternates) and
// sit directly on the new base. Either way the session's ref and base move together.
// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import type { Db } from "../db/db.ts";
import { AppError, conflict, invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { mergeOnto, writeCommitIn } from "../landing/git-land.ts";
import { type GitRepo, ZERO_OID } from "../repos/git-layer/git-repo.ts";
import { layerFor } from "../repos/git-layer/git-repos.ts";
import { isTreeMode } from "../repos/git-layer/objects.ts";
import { changeStats, commitEnv, recordStats, sessionCommit, sessionRef } from "./session-changes.ts";
import type { SessionRow } from "./session-types.ts";
import { commitAtPosition, requireOpen } from "./sessions-service.ts";

export const syncSchema = z.object({
  base: z.number().int().min(0).optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/, "commit must be a full 40-character object id")
    .optional(),
});

export interface SyncResult {
  base_position: number;
  base_commit: string | null;
  commit: string | null;
  replayed: boolean;
}

/** Moves `session` onto trunk position `base` (default: head). 409 lists textual conflicts. */
export async function syncSession(
  db: Db,
  dir: string,
  session: SessionRow,
  headPosition: number,
  input: unknown,
): Promise<SyncResult> {
  requireOpen(session);
  const data = requireValid(syncSchema, input ?? {});
  const target = data.base ?? headPosition;
  if (target > headPosition) throw conflict(`base ${target} is ahead of trunk (head is ${headPosition})`);
  if (target < session.base_position)
    throw invalid(`base ${target} is behind the session's base ${session.base_position}`);
  const newBase = await commitAtPosition(db, session.project_id, target);
  const repo = layerFor(dir);
  const previous = await sessionCommit(repo, session.id);

  let next = previous;
  let replayed = false;
  if (data.commit) {
    if (data.commit !== previous)
      throw invalid(
        `Commit ${data.commit} is not the tip of ${sessionRef(session.id)}: push it there first, then sync`,
        [{ field: "commit", message: "not the session's pushed commit" }],
      );
    next = await checkReplayed(repo, data.commit, newBase);
  } else if (previous && target !== session.base_position) {
    const merged = await mergeOnto(dir, newBase, session.base_commit, previous);
    if (merged.conflicts.length > 0) {
      throw new AppError(
        "conflict",
        `The session's change does not apply cleanly on position ${target}: ${merged.conflicts.join(", ")}`,
        {
          problem: "sync-conflict",
          conflicts: await describeConflicts(repo, newBase, previous, merged.conflicts),
        },
      );
    }
    // As `git commit-tree -m <goal>` writes it: the message ends with one newline.
    const message = session.goal.endsWith("\n") ? session.goal : `${session.goal}\n`;
    next = await writeCommitIn(repo, merged.tree!, newBase, message, commitEnv(session));
    replayed = true;
  }
  if (next && next !== previous) {
    const ref = { ref: sessionRef(session.id), next, expected: previous ?? ZERO_OID };
    const moved = await repo.updateRefs([ref], "micelio session sync");
    if (!moved) throw conflict("The session's changes moved meanwhile; sync again");
  }
  const row = await db
    .updateTable("sessions")
    .set({ base_position: target, base_commit: newBase, updated_at: new Date() })
    .where("id", "=", session.id)
    .where("status", "=", "open")
    .where("base_position", "=", session.base_position)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw conflict("The session changed meanwhile; sync again");
  if (next) await recordStats(db, row as SessionRow, await changeStats(repo, newBase, next));
  return { base_position: target, base_commit: newBase, commit: next, replayed };
}

/**
 * How each path of a failed merge conflicts: `content` (both changed it) or `modify_delete`
 * (one side deleted a file the other changed; `deleted_by` says which), so a client never
 * mistakes a deletion for an edit.
 */
async function describeConflicts(repo: GitRepo, trunk: string | null, session: string, paths: string[]) {
  const trunkTree = trunk ? (await repo.readCommit(trunk)).tree : null;
  const sessionTree = (await repo.readCommit(session)).tree;
  const out = [];
  for (const path of paths) {
    const onTrunk = trunkTree ? await hasFile(repo, trunkTree, path) : false;
    const inSession = await hasFile(repo, sessionTree, path);
    out.push(
      onTrunk === inSession
        ? { path, kind: "content" as const }
        : {
            path,
            kind: "modify_delete" as const,
            deleted_by: onTrunk ? ("session" as const) : ("trunk" as const),
          },
    );
  }
  return out;
}

/** Whether `tree` holds a file (not a directory) at `path`. */
async function hasFile(repo: GitRepo, tree: string, path: string): Promise<boolean> {
  let oid = tree;
  const names = path.split("/");
  for (const [i, name] of names.entries()) {
    const entry = (await repo.readTree(oid)).find((e) => e.name === name);
    if (!entry) return false;
    const isDir = isTreeMode(entry.mode);
    if (i === names.length - 1) return !isDir;
    if (!isDir) return false;
    oid = entry.oid;
  }
  return false;
}

/** A client-made replay must be a commit whose only parent is the new base. */
async function checkReplayed(repo: GitRepo, commit: string, base: string | null) {
  const parents = await repo.readCommit(commit).then(
    (c) => c.parents,
    () => null,
  );
  if (!parents) throw invalid(`Unknown commit ${commit}: push it to refs/sessions/<id> first`);
  const expected = base ? [base] : [];
  if (parents.join(" ") !== expected.join(" "))
    throw invalid(`Commit ${commit} must have the new base ${base ?? "(none)"} as its only parent`);
  return commit;
}
