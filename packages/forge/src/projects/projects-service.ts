// Projects: created under a user or an organization, public or private, changed and
// deleted by their administrators. Every change is audited in the same transaction.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { noteLinks, noteProjectCreated, noticing } from "../abuse/abuse-service.ts";
import { projectHandle } from "../accounts/handles.ts";
import type { Viewer } from "../accounts/viewer.ts";
import { anonymous, hasScope, isAdmin } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account, Project } from "../db/schema.ts";
import { forbidden, handleTaken, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { actorGoneLater } from "../federation/actor-gone.ts";
import type { Forge } from "../http/context.ts";
import { enforceProjectLimit } from "../limits/project-limit.ts";
import { orgRole } from "../orgs/orgs-service.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { cutLooseFromPrivate } from "../social/forks-isolation.ts";
import { detachForks, lockForksOf } from "../social/forks-repo.ts";
import { requireForkMayBePublic } from "../social/forks-rules.ts";
import { forkColumns } from "../social/social-columns.ts";
import { assertRole, type ProjectRole, projectRole, requireRole, whereVisible } from "./access.ts";
import { projectViews, viewerClass, viewKey } from "./project-view-cache.ts";

const name = z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters");
const description = z.string().max(1000, "Description must be at most 1000 characters");
const visibility = z.enum(["public", "private"], { message: "Visibility must be public or private" });

export const createProjectSchema = z.object({
  handle: projectHandle,
  name: name.optional(),
  description: description.optional(),
  visibility: visibility.default("public"),
  owner: z.string().max(39).optional(),
});
export const updateProjectSchema = z
  .object({
    name: name.optional(),
    description: description.optional(),
    visibility: visibility.optional(),
    trunk_push: z.enum(["allowed", "sessions_only"]).optional(),
    land_role: z.enum(["write", "admin"]).optional(),
    require_review: z.boolean().optional(),
    agent_landing: z.enum(["land", "review"]).optional(),
    max_generation_depth: z.number().int().min(1).max(100).nullable().optional(),
    circuit_max_failures: z.number().int().min(1).max(10000).nullable().optional(),
  })
  .strict();

export type ProjectWithOwner = Project & {
  owner_handle: string;
  owner_kind: "user" | "org";
  parent_full_name?: string | null;
  forks_count?: number;
  /** The owner's suspension, read with the project so access needs no second query. */
  owner_suspended_at?: Date | null;
};

export function projectJson(p: ProjectWithOwner, role?: ProjectRole) {
  return {
    id: p.id,
    owner: p.owner_handle,
    owner_kind: p.owner_kind === "org" ? ("organization" as const) : ("user" as const),
    handle: p.handle,
    full_name: `${p.owner_handle}/${p.handle}`,
    name: p.name,
    description: p.description,
    visibility: p.visibility,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
    head_position: p.head_position,
    parent: p.parent_full_name ?? null,
    stars_count: p.stars_count,
    forks_count: p.forks_count ?? 0,
    protection: { trunk_push: p.trunk_push, land_role: p.land_role, require_review: p.require_review },
    agents: {
      landing: p.agent_landing,
      max_generation_depth: p.max_generation_depth,
      circuit_max_failures: p.circuit_max_failures,
      paused: p.agents_paused_at
        ? { at: p.agents_paused_at.toISOString(), by: p.agents_paused_by, reason: p.agents_paused_reason }
        : null,
    },
    ...(role
      ? { permissions: { read: true, write: role === "write" || role === "admin", admin: role === "admin" } }
      : {}),
  };
}

export const withOwner = (db: Db, viewer: Viewer) =>
  db
    .selectFrom("projects")
    .innerJoin("accounts", "accounts.id", "projects.owner_id")
    .selectAll("projects")
    .select(["accounts.handle as owner_handle", "accounts.kind as owner_kind"])
    .select("accounts.suspended_at as owner_suspended_at")
    .select(forkColumns(viewer));

async function findProject(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
): Promise<ProjectWithOwner | undefined> {
  return withOwner(db, viewer)
    .where(sql`lower(accounts.handle)`, "=", owner.toLowerCase())
    .where(sql`lower(projects.handle)`, "=", handle.toLowerCase())
    .executeTakeFirst();
}

/**
 * A project by its names with no access check, for requests that prove access another way (a
 * signed object URL: content/object-urls.ts). Suspended owners' projects are not found.
 */
export const projectByName = (db: Db, owner: string, handle: string) =>
  findProject(db, anonymous(), owner, handle);

/** A timestamp column of a row read as JSON (`…_at` by the schema's convention). */
const JSON_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;

/**
 * getProject and a session of it read in one query (the session as `to_jsonb`, its `…_at`
 * columns made Dates again, as the driver gives them); the session is undefined when the
 * project has none with that id. Access is checked as getProject checks it.
 */
export async function getProjectWithSession(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  sessionId: string,
  need: Exclude<ProjectRole, "none"> = "read",
): Promise<{ project: ProjectWithOwner; role: ProjectRole; session: Record<string, unknown> | undefined }> {
  const row = await withOwner(db, viewer)
    .leftJoin("sessions", (j) =>
      j.on("sessions.id", "=", sessionId).onRef("sessions.project_id", "=", "projects.id"),
    )
    .select(
      sql<Record<
        string,
        unknown
      > | null>`CASE WHEN sessions.id IS NULL THEN NULL ELSE to_jsonb(sessions.*) END`.as("session_json"),
    )
    .where(sql`lower(accounts.handle)`, "=", owner.toLowerCase())
    .where(sql`lower(projects.handle)`, "=", handle.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound("Project not found");
  const { session_json, ...project } = row;
  const role = await requireRole(db, viewer, project, need);
  if (!session_json) return { project, role, session: undefined };
  for (const [k, v] of Object.entries(session_json))
    if (k.endsWith("_at") && typeof v === "string" && JSON_TIME.test(v)) session_json[k] = new Date(v);
  return { project, role, session: session_json };
}

/** Loads a project the viewer may access with at least `need`; 404 if they may not read it. */
export async function getProject(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  need: Exclude<ProjectRole, "none"> = "read",
): Promise<{ project: ProjectWithOwner; role: ProjectRole }> {
  const project = await findProject(db, viewer, owner, handle);
  if (!project) throw notFound("Project not found");
  const role = await requireRole(db, viewer, project, need);
  return { project, role };
}

/**
 * getProject for read-only views (pages, their JSON, blame, search, MCP's read tools): the
 * project and the viewer's role from the process's cache when it holds them
 * (projects/project-view-cache.ts), read and kept otherwise. Write paths use getProject.
 */
export async function viewProject(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
): Promise<{ project: ProjectWithOwner; role: ProjectRole }> {
  const cls = viewerClass(viewer);
  const key = cls === null ? null : viewKey(cls, owner, handle);
  const hit = key === null ? undefined : projectViews.get(key, db);
  if (hit) return { project: hit.project, role: assertRole(viewer, hit.role, "read") };
  const generation = projectViews.generation;
  const project = await findProject(db, viewer, owner, handle);
  if (!project) throw notFound("Project not found");
  const role = await projectRole(db, viewer, project);
  if (key !== null && role !== "none")
    projectViews.set(key, { project: Object.freeze(project), role }, db, generation);
  return { project, role: assertRole(viewer, role, "read") };
}

export async function resolveOwner(db: Db, viewer: Viewer, owner: string | undefined): Promise<Account> {
  const user = viewer.user!;
  if (!owner || owner.toLowerCase() === user.handle.toLowerCase()) return user;
  const account = await db
    .selectFrom("accounts")
    .selectAll()
    .where(sql`lower(handle)`, "=", owner.toLowerCase())
    .executeTakeFirst();
  if (account?.kind !== "org") {
    throw forbidden("You can create projects only under your own account or an organization you belong to");
  }
  if (!isAdmin(viewer) && !(await orgRole(db, account.id, user.id))) {
    throw forbidden("You can create projects only under your own account or an organization you belong to");
  }
  return account;
}

/** Whether the account already owns a project with this handle (handles differ by more than case). */
export async function ownerHasProject(db: Db, ownerId: string, handle: string): Promise<boolean> {
  const row = await db
    .selectFrom("projects")
    .select("id")
    .where("owner_id", "=", ownerId)
    .where(sql`lower(handle)`, "=", handle.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Creates the project and its repository together: if either fails, neither exists. The
 * owner's project limit is checked in the same transaction, and abuse signals afterwards
 * (`forge` gives the settings for both).
 */
export async function createProject(
  db: Db,
  repos: RepoStore,
  viewer: Viewer,
  input: unknown,
  forge: Pick<Forge, "config" | "log">,
): Promise<ProjectWithOwner> {
  if (!viewer.user) throw unauthorized();
  const data = requireValid(createProjectSchema, input);
  if (!hasScope(viewer, "project:write")) throw forbidden("This token lacks the project:write scope");
  const owner = await resolveOwner(db, viewer, data.owner);
  let createdRepo: string | undefined;
  let created: ProjectWithOwner;
  try {
    created = await db.transaction().execute(async (trx) => {
      if (await ownerHasProject(trx, owner.id, data.handle)) {
        throw handleTaken(`${owner.handle}/${data.handle} already exists`, [
          { field: "handle", message: "already taken" },
        ]);
      }
      await enforceProjectLimit(trx, owner, viewer.user!.id, forge.config.projectLimit);
      const project = await trx
        .insertInto("projects")
        .values({
          id: ulid(),
          owner_id: owner.id,
          handle: data.handle,
          name: data.name || data.handle,
          description: data.description ?? "",
          visibility: data.visibility,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, viewer, {
        action: "project.create",
        targetType: "project",
        targetId: project.id,
        target: `${owner.handle}/${project.handle}`,
        projectId: project.id,
        data: { visibility: project.visibility },
      });
      createdRepo = project.id;
      await repos.create(project.id);
      return { ...project, owner_handle: owner.handle, owner_kind: owner.kind };
    });
  } catch (err) {
    if (createdRepo) await repos.remove(createdRepo).catch(() => {});
    if ((err as { code?: string }).code === "23505")
      throw handleTaken(`${owner.handle}/${data.handle} already exists`);
    throw err;
  }
  await noticing(
    forge.log,
    noteProjectCreated(
      db,
      forge.config.abuse,
      viewer.user,
      { fullName: `${created.owner_handle}/${created.handle}`, description: created.description },
      viewer.ip,
    ),
  );
  return created;
}

/** Applies the settings; a new description is checked for links like a new project's (abuse/). */
export async function updateProject(
  forge: Pick<Forge, "db" | "config" | "log" | "repos">,
  viewer: Viewer,
  owner: string,
  handle: string,
  input: unknown,
) {
  const db = forge.db;
  const patch = requireValid(updateProjectSchema, input);
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  const changes = Object.fromEntries(
    Object.entries(patch).filter(([k, v]) => v !== undefined && (project as any)[k] !== v),
  ) as z.infer<typeof updateProjectSchema>;
  if (Object.keys(changes).length === 0) return project;
  if (changes.visibility === "public") await requireForkMayBePublic(db, project);
  const saved = await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("projects")
      .set({ ...changes, updated_at: new Date() })
      .where("id", "=", project.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: changes.visibility ? "project.visibility" : "project.update",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: {
        changes: Object.keys(changes),
        ...(changes.visibility ? { visibility: changes.visibility } : {}),
      },
    });
    if (changes.visibility === "private")
      await actorGoneLater(trx, { id: project.id, identifier: `${project.owner_handle}.${project.handle}` });
    return { ...project, ...updated };
  });
  // Forks that can no longer see it leave its network (social/forks-isolation.ts).
  if (changes.visibility === "private")
    await cutLooseFromPrivate(forge, viewer, project).catch((err) =>
      forge.log.error({ err, projectId: project.id }, "detaching the forks of a project made private failed"),
    );
  if (changes.description && viewer.user) {
    const where = `the description of ${project.owner_handle}/${project.handle}`;
    await noticing(
      forge.log,
      noteLinks(db, forge.config.abuse, viewer.user, where, changes.description, viewer.ip),
    );
  }
  return saved;
}

/** Deletes the project, then its repository (the database row goes first, so nothing serves it). */
export async function deleteProject(db: Db, repos: RepoStore, viewer: Viewer, owner: string, handle: string) {
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  const forks = await db.transaction().execute(async (trx) => {
    const forks = await lockForksOf(trx, project.id); // they borrow its objects: detached below
    await trx.deleteFrom("projects").where("id", "=", project.id).execute();
    await recordAudit(trx, viewer, {
      action: "project.delete",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
    });
    await actorGoneLater(trx, { id: project.id, identifier: `${project.owner_handle}.${project.handle}` });
    return forks;
  });
  await detachForks(repos, project.id, forks);
  await repos.remove(project.id);
  return project;
}

export interface ListQuery {
  owner?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export async function listProjects(db: Db, viewer: Viewer, query: ListQuery = {}) {
  let qb = whereVisible(withOwner(db, viewer), viewer);
  if (query.owner) qb = qb.where(sql`lower(accounts.handle)`, "=", query.owner.toLowerCase());
  if (query.q) {
    const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb = qb.where((eb) =>
      eb.or([
        eb(sql`lower(projects.name)`, "like", like),
        eb(sql`lower(projects.handle)`, "like", like),
        eb(sql`lower(projects.description)`, "like", like),
      ]),
    );
  }
  return qb
    .orderBy("projects.updated_at", "desc")
    .orderBy("projects.id", "desc")
    .limit(Math.min(query.limit ?? 30, 100))
    .offset(query.offset ?? 0)
    .execute();
}
