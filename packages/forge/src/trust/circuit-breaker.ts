// The agents' circuit breaker of a project: while it is open (paused), agents' sessions can
// neither open nor land (problem agents-paused). Maintainers pause and resume by hand; the
// breaker trips by itself when agents' sessions in the project failed validation at least
// `circuit_max_failures` times in the last hour. Every pause and resume is audited.
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { agentsPaused } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";

/** The breaker's actor name in `agents_paused_by` and the audit log. */
export const BREAKER = "circuit-breaker";

/** Throws agents-paused for an agent's session in a paused project. */
export function requireAgentsRunning(project: ProjectWithOwner, ai: boolean) {
  if (ai && project.agents_paused_at)
    throw agentsPaused({
      agents_paused_at: project.agents_paused_at,
      agents_paused_reason: project.agents_paused_reason,
      agents_paused_by: project.agents_paused_by,
    });
}

export const pauseSchema = z.object({ reason: z.string().trim().max(500).optional() }).strict();

async function setPaused(
  db: Db,
  actor: { user: { id: string; handle: string } | null; ip: string },
  project: ProjectWithOwner,
  pause: { reason: string | null } | null,
) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("projects")
      .set(
        pause
          ? {
              agents_paused_at: sql`coalesce(agents_paused_at, now())`,
              agents_paused_reason: pause.reason,
              agents_paused_by: actor.user?.handle ?? BREAKER,
            }
          : { agents_paused_at: null, agents_paused_reason: null, agents_paused_by: null },
      )
      .where("id", "=", project.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, {
      action: pause ? "project.agents_pause" : "project.agents_resume",
      targetType: "project",
      targetId: project.id,
      target: `${project.owner_handle}/${project.handle}`,
      projectId: project.id,
      data: pause ? { reason: pause.reason } : {},
    });
    return { ...project, ...row };
  });
}

/** A project administrator pauses (or resumes) agents' contributions. */
export async function pauseAgentsAs(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  const { reason } = requireValid(pauseSchema, input ?? {});
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  return setPaused(db, viewer, project, { reason: reason || "paused by a maintainer" });
}

export async function resumeAgentsAs(db: Db, viewer: Viewer, owner: string, handle: string) {
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  return setPaused(db, viewer, project, null);
}

/**
 * After an agent's session failed validation: trips the breaker when the project's agents'
 * sessions failed at least its threshold of times in the last hour. Returns whether it tripped.
 */
export async function noteAgentFailure(db: Db, projectId: string): Promise<boolean> {
  const project = await db
    .selectFrom("projects")
    .select(["circuit_max_failures", "agents_paused_at"])
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!project?.circuit_max_failures || project.agents_paused_at) return false;
  const { failures } = await db
    .selectFrom("validation_runs as r")
    .innerJoin("sessions as s", "s.id", "r.session_id")
    .select(sql<number>`count(*)::int`.as("failures"))
    .where("r.project_id", "=", projectId)
    .where("r.status", "=", "failed")
    .where("s.agent_name", "is not", null)
    .where("r.created_at", ">", sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirstOrThrow();
  if (failures < project.circuit_max_failures) return false;
  const reason = `${failures} failed validations of agents' sessions in the last hour (threshold ${project.circuit_max_failures})`;
  const tripped = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("projects")
      .set({ agents_paused_at: new Date(), agents_paused_reason: reason, agents_paused_by: BREAKER })
      .where("id", "=", projectId)
      .where("agents_paused_at", "is", null)
      .returning(["id"])
      .executeTakeFirst();
    if (row)
      await recordAudit(
        trx,
        { user: null, ip: "" },
        {
          action: "project.agents_pause",
          targetType: "project",
          targetId: projectId,
          projectId,
          data: { reason, by: BREAKER },
        },
      );
    return Boolean(row);
  });
  return tripped;
}
