// One epoch's preparation of each session: read it (the epoch's sessions and their recent
// decisions in one query), check it against trunk since its base and against the earlier
// sessions of the epoch, splice its paths onto the running trunk tree and write its commit.
import { pathsConflict } from "@micelio/core";
import { sql } from "kysely";
import { refuseInvalidChecks } from "../checks/checks-errors.ts";
import type { Db } from "../db/db.ts";
import { AppError, invalid, notFound, sessionClosed } from "../errors/app-error.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import type { ObjectStore } from "../repos/git-layer/staged-objects.ts";
import { secretsError } from "../repos/secret-gate.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { commitEnv } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { findConflicts } from "./conflicts.ts";
import { landingMessage, writeCommitIn } from "./git-land.ts";
import type { ConflictDetail, PendingLanding } from "./land-types.ts";
import { readSessionChange, type SessionChange } from "./session-read.ts";
import { spliceTree } from "./splice.ts";

export interface EpochSession {
  row: SessionRow;
  decisions: string[];
}

/** The epoch's sessions of this project, with their last 10 decisions (oldest first), in one query. */
export async function loadSessions(db: Db, projectId: string, ids: string[]) {
  const out = new Map<string, EpochSession>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom("sessions as s")
    .selectAll("s")
    .select(
      sql<Array<string | null>>`(
        SELECT coalesce(json_agg(d.text ORDER BY d.seq), '[]'::json) FROM (
          SELECT e.data->>'text' AS text, e.seq FROM session_events e
          WHERE e.session_id = s.id AND e.kind = 'decision' ORDER BY e.seq DESC LIMIT 10
        ) d)`.as("decisions"),
    )
    .where("s.id", "in", ids)
    .where("s.project_id", "=", projectId)
    .execute();
  for (const { decisions, ...row } of rows)
    out.set(row.id, { row: row as SessionRow, decisions: (decisions ?? []).map((d) => d ?? "") });
  return out;
}

export interface CheckedSession {
  entry: EpochSession;
  change: SessionChange;
  /** Conflicts with what landed on trunk since the session's base. */
  conflicts: ConflictDetail[];
}

/**
 * What can be done for every session of an epoch at once: read its change and check it
 * against trunk (the landing index must be up to date with `headPosition` beforehand).
 */
export async function checkSession(
  db: Db,
  repo: GitRepo,
  projectId: string,
  entry: EpochSession | undefined,
  headPosition: number,
): Promise<CheckedSession> {
  if (!entry) throw notFound("Session not found");
  const session = entry.row;
  if (session.status !== "open")
    throw sessionClosed(session.status, `The session is already ${session.status}`);
  const change = await readSessionChange(repo, session);
  if (!change) throw invalid("The session has no changes yet: push to its ref or PUT its changes first");
  if (change.paths.length === 0) throw invalid("The session changes nothing");
  if (change.secrets.length) throw secretsError(change.secrets);
  await refuseInvalidChecks(repo, change);
  const conflicts = await findConflicts(db, projectId, session.base_position, headPosition, change.paths);
  return { entry, change, conflicts };
}

/**
 * Checks a session against the earlier sessions of this epoch, splices it onto `running`
 * (trunk so far: its commit and tree, null when empty) and writes its commit into `store`
 * (the lander stages the epoch's objects and writes them before moving trunk).
 */
export async function prepareLanding(
  db: Db,
  store: ObjectStore,
  projectId: string,
  checked: CheckedSession,
  headPosition: number,
  running: { commit: string; tree: string } | null,
  earlier: PendingLanding[],
): Promise<PendingLanding & { tree: string }> {
  const { entry, change } = checked;
  const session = entry.row;
  const conflicts = [...checked.conflicts];
  earlier.forEach((e, i) => {
    for (const path of pathsConflict(change.paths, e.paths)) {
      conflicts.push({
        path,
        position: headPosition + i + 1,
        session_id: e.sessionId,
        goal: e.goal,
        author: e.authorHandle,
        agent: null,
      });
    }
  });
  if (conflicts.length) {
    await recordProjectEvent(db, projectId, "session.conflicted", {
      session: session.id,
      goal: session.goal,
      conflicts,
    });
    throw landConflict(conflicts);
  }
  const merged = await spliceTree(store, running?.tree ?? null, change.changes);
  if (merged.conflicts.length) {
    await recordProjectEvent(db, projectId, "session.conflicted", {
      session: session.id,
      goal: session.goal,
      conflicts: merged.conflicts.map((path) => ({ path, position: headPosition })),
    });
    throw landConflict(
      merged.conflicts.map((path) => ({
        path,
        position: headPosition,
        session_id: null,
        goal: null,
        author: null,
        agent: null,
      })),
    );
  }
  const message = landingMessage(session.goal, entry.decisions, {
    "Micelio-Session": session.id,
    "Assisted-by": session.agent_name
      ? [session.agent_name, session.agent_model].filter(Boolean).join(":")
      : null,
  });
  const landed = await writeCommitIn(
    store,
    merged.tree,
    running?.commit ?? null,
    message,
    commitEnv(session),
  );
  return {
    sessionId: session.id,
    goal: session.goal,
    authorHandle: session.author_handle,
    commit: landed,
    tree: merged.tree,
    parent: running?.commit ?? null,
    paths: change.paths,
    linesAdded: change.linesAdded,
    linesRemoved: change.linesRemoved,
  };
}

export function landConflict(conflicts: ConflictDetail[]) {
  const paths = [...new Set(conflicts.map((c) => c.path))];
  return new AppError(
    "conflict",
    `The session conflicts with landed work on ${paths.length} path(s): ${paths.slice(0, 5).join(", ")}`,
    { problem: "land-conflict", conflicts },
  );
}
