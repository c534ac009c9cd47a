// Stars: a signed-in user stars the projects they can read; starring twice or unstarring
// an unstarred project changes nothing. projects.stars_count follows the rows through a
// database trigger (migration 0008), in the same transaction as the change. The rows, with
// their times, are also the record the activity graph reads ("projects starred").
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { hasScope, isAdmin } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { forbidden, unauthorized } from "../errors/app-error.ts";
import { whereVisible } from "../projects/access.ts";
import { getProject, type ProjectWithOwner, withOwner } from "../projects/projects-service.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";

export interface Page {
  limit?: number;
  offset?: number;
}

function requireStarrer(viewer: Viewer): Account {
  if (!viewer.user) throw unauthorized();
  if (!hasScope(viewer, "project:write")) throw forbidden("This token lacks the project:write scope");
  return viewer.user;
}

/** Stars or unstars; returns the project as it is afterwards (with its new stars_count). */
export async function setStar(db: Db, viewer: Viewer, owner: string, handle: string, on: boolean) {
  const { project } = await getProject(db, viewer, owner, handle, "read"); // 404 before 401
  const user = requireStarrer(viewer);
  if (on) {
    const added = await db
      .insertInto("stars")
      .values({ user_id: user.id, project_id: project.id })
      .onConflict((oc) => oc.columns(["user_id", "project_id"]).doNothing())
      .returning("user_id")
      .executeTakeFirst();
    if (added) await recordProjectEvent(db, project.id, "star", { actor: user.handle });
  } else {
    await db
      .deleteFrom("stars")
      .where("user_id", "=", user.id)
      .where("project_id", "=", project.id)
      .execute();
  }
  return (await getProject(db, viewer, owner, handle, "read")).project;
}

export async function hasStarred(db: Db, userId: string | undefined, projectId: string) {
  if (!userId) return false;
  const row = await db
    .selectFrom("stars")
    .select("project_id")
    .where("user_id", "=", userId)
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The projects a user starred that the viewer may see, most recently starred first. */
export async function listStarred(
  db: Db,
  viewer: Viewer,
  userId: string,
  page: Page = {},
): Promise<Array<ProjectWithOwner & { starred_at: Date }>> {
  return whereVisible(withOwner(db, viewer), viewer)
    .innerJoin("stars", "stars.project_id", "projects.id")
    .where("stars.user_id", "=", userId)
    .select("stars.created_at as starred_at")
    .orderBy("stars.created_at", "desc")
    .orderBy("projects.id", "desc")
    .limit(Math.min(page.limit ?? 30, 100))
    .offset(page.offset ?? 0)
    .execute();
}

/** Who starred a project the viewer may read, most recent first. */
export async function listStargazers(db: Db, viewer: Viewer, owner: string, handle: string, page: Page = {}) {
  const { project } = await getProject(db, viewer, owner, handle, "read");
  const users = await db
    .selectFrom("stars")
    .innerJoin("accounts", "accounts.id", "stars.user_id")
    .selectAll("accounts")
    .select("stars.created_at as starred_at")
    .where("stars.project_id", "=", project.id)
    // Suspended accounts are hidden from all but administrators (accounts-service getVisibleAccount).
    .$if(!isAdmin(viewer), (qb) => qb.where("accounts.suspended_at", "is", null))
    .orderBy("stars.created_at", "desc")
    .orderBy(sql`lower(accounts.handle)`)
    .limit(Math.min(page.limit ?? 30, 100))
    .offset(page.offset ?? 0)
    .execute();
  return { project, users };
}
