// One epoch's preparation of each session: read it (the epoch's sessions and their recent
// decisions in two queries), check it against trunk since its base and against the earlier
// sessions of the epoch, splice its paths onto the running trunk tree and write its commit.
import { pathsConflict } from "@micelio/core";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { AppError, invalid, notFound, sessionClosed } from "../errors/app-error.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
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

/** The epoch's sessions of this project, with their last 10 decisions (oldest first). */
export async function loadSessions(db: Db, projectId: string, ids: string[]) {
  const out = new Map<string, EpochSession>();
  if (ids.length === 0) return out;
  const rows = (await db
    .selectFrom("sessions")
    .selectAll()
    .where("id", "in", ids)
    .where("project_id", "=", projectId)
    .execute()) as SessionRow[];
  for (const row of rows) out.set(row.id, { row, decisions: [] });
  const { rows: decisions } = await sql<{ session_id: string; data: { text?: string } }>`
    SELECT session_id, data FROM (
      SELECT session_id, data, seq,
             row_number() OVER (PARTITION BY session_id ORDER BY seq DESC) AS n
      FROM session_events WHERE kind = 'decision' AND session_id IN (${sql.join(ids)})
    ) d WHERE n <= 10 ORDER BY session_id, seq`.execute(db);
  for (const d of decisions) out.get(d.session_id)?.decisions.push(String(d.data?.text ?? ""));
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
  const conflicts = await findConflicts(db, projectId, session.base_position, headPosition, change.paths);
  return { entry, change, conflicts };
}

/** Checks a session against the earlier sessions of this epoch, splices it onto `running`, writes its commit. */
export async function prepareLanding(
  db: Db,
  repo: GitRepo,
  projectId: string,
  checked: CheckedSession,
  headPosition: number,
  running: string | null,
  earlier: PendingLanding[],
): Promise<PendingLanding> {
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
  const merged = await spliceTree(
    repo,
    running ? (await repo.readCommit(running)).tree : null,
    change.changes,
  );
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
  const landed = await writeCommitIn(repo, merged.tree, running, message, commitEnv(session));
  return {
    sessionId: session.id,
    goal: session.goal,
    authorHandle: session.author_handle,
    commit: landed,
    parent: running,
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
