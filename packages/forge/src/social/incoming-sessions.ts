// Sessions from a fork to its parent. The author of an open session in a fork proposes it
// upstream: the parent gets its own open session (same goal, author, agent, conversation and
// change, based on the parent's landing at the fork session's base commit), marked with its
// source. The parent's maintainers review and land it like any other session; the author
// needs no write access to the parent. The change is fetched into the parent with fsck on:
// objects that fail it are refused (400) and the parent is left as it was.

import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { AppError, conflict, invalid } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { deleteRef, fetchChecked, ObjectsRefused } from "../repos/git-layer/fork-objects.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { sessionCommit, sessionRef } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { getSession, requireOpen } from "../sessions/sessions-service.ts";

export async function proposeToParent(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  sessionId: string,
) {
  const { db, repos } = forge;
  const { project: fork, session } = await getSession(db, viewer, owner, handle, sessionId, "write");
  requireOpen(session);
  const up = fork.parent_id
    ? await db
        .selectFrom("projects")
        .innerJoin("accounts", "accounts.id", "projects.owner_id")
        .select(["accounts.handle as owner", "projects.handle as handle"])
        .where("projects.id", "=", fork.parent_id)
        .executeTakeFirst()
    : undefined;
  if (!up)
    throw new AppError("conflict", "This project is not a fork of an existing project", {
      problem: "not-a-fork",
    });
  const { project: parent } = await getProject(db, viewer, up.owner, up.handle, "read");
  const forkDir = repos.dir(fork.id);
  const parentDir = repos.dir(parent.id);
  if (!(await sessionCommit(forkDir, session.id)))
    throw invalid("The session has no changes yet: push to its ref or PUT its changes first");
  await forge.lander.reconcile(parent.id); // trunk pushed but not yet recorded counts too
  let basePosition = 0;
  if (session.base_commit) {
    const landing = await db
      .selectFrom("landings")
      .select("position")
      .where("project_id", "=", parent.id)
      .where("commit_sha", "=", session.base_commit)
      .executeTakeFirst();
    if (!landing) {
      throw new AppError(
        "conflict",
        `The session's base ${session.base_commit.slice(0, 12)} is not on ${up.owner}/${up.handle}'s trunk; open the session on a position the parent has landed`,
        { problem: "base-not-in-parent" },
      );
    }
    basePosition = landing.position;
  }
  const id = ulid();
  try {
    await fetchChecked(parentDir, forkDir, sessionRef(session.id), sessionRef(id));
  } catch (err) {
    if (err instanceof ObjectsRefused)
      throw invalid(
        "The session's commits do not pass the parent's object checks (git fsck); recreate them with a current git client and try again",
      );
    throw err;
  }
  try {
    const row = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("sessions")
        .values({
          id,
          project_id: parent.id,
          author_id: session.author_id,
          author_handle: session.author_handle,
          agent_name: session.agent_name,
          agent_model: session.agent_model,
          agent_version: session.agent_version,
          goal: session.goal,
          origin: session.origin,
          base_position: basePosition,
          base_commit: session.base_commit,
          tokens_input: Number(session.tokens_input),
          tokens_output: Number(session.tokens_output),
          touched_paths: session.touched_paths,
          lines_added: session.lines_added,
          lines_removed: session.lines_removed,
          source: `${fork.owner_handle}/${fork.handle}`,
          source_session_id: session.id,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await sql`INSERT INTO session_events (session_id, seq, kind, data, created_at)
        SELECT ${id}, seq, kind, data, created_at FROM session_events WHERE session_id = ${session.id}`.execute(
        trx,
      );
      await recordProjectEvent(trx, parent.id, "session.created", {
        session: id,
        goal: row.goal,
        author: row.author_handle,
        agent: row.agent_name,
        base_position: basePosition,
        source: row.source,
      });
      return row as SessionRow;
    });
    return { parent, session: row };
  } catch (err) {
    await deleteRef(parentDir, sessionRef(id));
    if ((err as { code?: string }).code === "23505")
      throw conflict("This session is already proposed to the parent and still open there");
    throw err;
  }
}
