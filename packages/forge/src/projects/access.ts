// Who may do what with a project. Anyone without read access to a private project is told
// it does not exist (404), never that it is forbidden. The projects of a suspended account
// are hidden the same way from everyone but administrators.
import { type SelectQueryBuilder, sql } from "kysely";
import { hasScope, isAdmin, type Viewer, withinLimit } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { Database, Project } from "../db/schema.ts";
import { forbidden, notFound } from "../errors/app-error.ts";

export type ProjectRole = "none" | "read" | "write" | "admin";
const RANK: Record<ProjectRole, number> = { none: 0, read: 1, write: 2, admin: 3 };

export async function projectRole(
  db: Db,
  viewer: Viewer,
  project: Project & { owner_suspended_at?: Date | null },
): Promise<ProjectRole> {
  // A project token knows only its projects: every other one, public or not, is "none". This
  // is the one place project access is decided, so every route (API, git, MCP, gRPC) obeys it.
  if (!withinLimit(viewer, project)) return "none";
  if (isAdmin(viewer)) return "admin";
  // The projects of a suspended account are hidden from everyone but administrators (the
  // owner's suspension comes with the project when it was read with its owner).
  const suspended =
    project.owner_suspended_at !== undefined
      ? project.owner_suspended_at !== null
      : await ownerSuspended(db, project.owner_id);
  if (suspended) return "none";
  const publicRole: ProjectRole = project.visibility === "public" ? "read" : "none";
  const user = viewer.user;
  if (!user) return publicRole;
  // A token without project:read (or project:write) sees only what anonymous visitors see.
  const canUsePrivileges = hasScope(viewer, "project:read") || hasScope(viewer, "project:write");
  if (!canUsePrivileges) return publicRole;
  if (project.owner_id === user.id) return "admin";
  const membership = await db
    .selectFrom("org_members")
    .select("role")
    .where("org_id", "=", project.owner_id)
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  if (membership?.role === "owner") return "admin";
  if (membership?.role === "member") return "write";
  return publicRole;
}

async function ownerSuspended(db: Db, ownerId: string): Promise<boolean> {
  const row = await db
    .selectFrom("accounts")
    .select("suspended_at")
    .where("id", "=", ownerId)
    .executeTakeFirst();
  return Boolean(row?.suspended_at);
}

/** Throws not_found when the viewer cannot read, forbidden when they can read but not `need`. */
export async function requireRole(
  db: Db,
  viewer: Viewer,
  project: Project & { owner_suspended_at?: Date | null },
  need: Exclude<ProjectRole, "none">,
) {
  return assertRole(viewer, await projectRole(db, viewer, project), need);
}

/** requireRole's verdict on a role already known (projects/project-view-cache.ts keeps roles). */
export function assertRole(viewer: Viewer, role: ProjectRole, need: Exclude<ProjectRole, "none">) {
  if (role === "none") throw notFound("Project not found");
  if (RANK[role] < RANK[need]) {
    if (need !== "read" && viewer.user && !hasScope(viewer, "project:write")) {
      throw forbidden("This token lacks the project:write scope");
    }
    throw forbidden(
      need === "admin" ? "Only project administrators can do that" : "You cannot change this project",
    );
  }
  if (need !== "read" && !hasScope(viewer, "project:write"))
    throw forbidden("This token lacks the project:write scope");
  return role;
}

/** Restricts a query over `projects` to those the viewer may read. */
export function whereVisible<O>(
  qb: SelectQueryBuilder<Database, "projects", O>,
  viewer: Viewer,
): SelectQueryBuilder<Database, "projects", O> {
  const limit = viewer.projects;
  if (limit) {
    // A project token lists only its projects (an empty list matches nothing).
    qb = qb.where("projects.id", "in", limit.ids.length > 0 ? [...limit.ids] : [""]);
    if (limit.org !== null) qb = qb.where("projects.owner_id", "=", limit.org);
  }
  if (isAdmin(viewer)) return qb;
  qb = qb.where("projects.owner_id", "not in", (eb) =>
    eb
      .selectFrom("accounts as suspended")
      .select("suspended.id")
      .where("suspended.suspended_at", "is not", null),
  );
  const user = viewer.user;
  if (!user || !(hasScope(viewer, "project:read") || hasScope(viewer, "project:write"))) {
    return qb.where("projects.visibility", "=", "public");
  }
  return qb.where((eb) =>
    eb.or([
      eb("projects.visibility", "=", "public"),
      eb("projects.owner_id", "=", user.id),
      eb(
        "projects.owner_id",
        "in",
        eb.selectFrom("org_members").select("org_members.org_id").where("org_members.user_id", "=", user.id),
      ),
    ]),
  );
}

export const lowerEq = (column: string, value: string) =>
  sql`lower(${sql.ref(column)}) = ${value.toLowerCase()}`;
