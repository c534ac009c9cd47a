// Forks: anyone who can read a project may fork it under their own account or an
// organization they belong to. The fork keeps the parent's visibility (a private project's
// fork stays private), starts with the parent's branches and tags, borrows its objects
// (forks-repo.ts), and inherits the parent's landings up to its trunk (forks-landings.ts:
// positions, commits and touched paths, pointing at the parent's sessions), so blame by
// session works in the fork; anything trunk holds beyond them is recorded by trunk
// reconciliation right away. Sessions proposed upstream map their base by commit
// (incoming-sessions.ts).

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { ulid } from "@micelio/core/ulid";
import { noteProjectCreated, noticing } from "../abuse/abuse-service.ts";
import { projectHandle } from "../accounts/handles.ts";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import { forbidden, handleTaken, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import type { Forge } from "../http/context.ts";
import { enforceProjectLimit } from "../limits/project-limit.ts";
import { whereVisible } from "../projects/access.ts";
import {
  getProject,
  ownerHasProject,
  type ProjectWithOwner,
  resolveOwner,
  withOwner,
} from "../projects/projects-service.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { inheritLandings } from "./forks-landings.ts";
import { populateFork } from "./forks-repo.ts";

export const forkProjectSchema = z
  .object({
    owner: z.string().max(39).optional(),
    handle: projectHandle.optional(),
  })
  .strict();

export async function forkProject(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  input: unknown,
): Promise<ProjectWithOwner> {
  const { db, repos } = forge;
  const { project: parent } = await getProject(db, viewer, owner, handle, "read"); // 404 before 401
  const user = viewer.user;
  if (!user) throw unauthorized();
  const data = requireValid(forkProjectSchema, input ?? {});
  if (!hasScope(viewer, "project:write")) throw forbidden("This token lacks the project:write scope");
  const target = await resolveOwner(db, viewer, data.owner);
  const forkHandle = data.handle ?? parent.handle;
  const taken = () =>
    handleTaken(`${target.handle}/${forkHandle} already exists; choose another handle`, [
      { field: "handle", message: "already taken" },
    ]);
  let createdRepo: string | undefined;
  let forkId: string;
  try {
    forkId = await db.transaction().execute(async (trx) => {
      if (await ownerHasProject(trx, target.id, forkHandle)) throw taken();
      await enforceProjectLimit(trx, target, user.id, forge.config.projectLimit);
      const fork = await trx
        .insertInto("projects")
        .values({
          id: ulid(),
          owner_id: target.id,
          handle: forkHandle,
          name: parent.name,
          description: parent.description,
          visibility: parent.visibility,
          parent_id: parent.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await recordAudit(trx, viewer, {
        action: "project.fork",
        targetType: "project",
        targetId: fork.id,
        target: `${target.handle}/${forkHandle}`,
        projectId: fork.id,
        data: { parent: `${parent.owner_handle}/${parent.handle}`, visibility: parent.visibility },
      });
      createdRepo = fork.id;
      await repos.create(fork.id);
      await populateFork(repos.dir(parent.id), repos.dir(fork.id));
      await inheritLandings(trx, forge, parent.id, fork.id, repos.dir(fork.id));
      return fork.id;
    });
  } catch (err) {
    if (createdRepo) await repos.remove(createdRepo).catch(() => {});
    const code = (err as { code?: string }).code;
    if (code === "23505") throw taken();
    if (code === "23503") throw notFound("Project not found"); // the parent was deleted meanwhile
    throw err;
  }
  await noticing(
    forge.log,
    noteProjectCreated(
      db,
      forge.config.abuse,
      user,
      { fullName: `${target.handle}/${forkHandle}`, description: parent.description },
      viewer.ip,
    ),
  );
  // No pusher: the history is the parent's, not a landing by whoever forked it.
  await forge.lander
    .reconcile(forkId)
    .catch((err) => forge.log.warn({ err, projectId: forkId }, "recording a fork's trunk failed"));
  const fork = (await getProject(db, viewer, target.handle, forkHandle, "read")).project;
  await recordProjectEvent(db, parent.id, "fork", {
    actor: user.handle,
    fork: `${fork.owner_handle}/${fork.handle}`,
    private: fork.visibility === "private",
  });
  return fork;
}

/** The forks of a project that the viewer may see, newest first. */
export async function listForks(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  page: { limit?: number; offset?: number } = {},
) {
  const { project } = await getProject(forge.db, viewer, owner, handle, "read");
  const forks = await whereVisible(withOwner(forge.db, viewer), viewer)
    .where("projects.parent_id", "=", project.id)
    .orderBy("projects.created_at", "desc")
    .orderBy("projects.id", "desc")
    .limit(Math.min(page.limit ?? 30, 100))
    .offset(page.offset ?? 0)
    .execute();
  return { project, forks };
}
