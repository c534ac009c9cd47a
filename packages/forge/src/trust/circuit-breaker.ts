// The agents' circuit breaker of a project: while it is open (paused), agents' sessions can
// neither open nor land (problem agents-paused). Maintainers pause and resume by hand; the
// breaker trips by itself when one of the project's noise metrics (noise.ts: failed
// validations, rejections, near-duplicates, sessions opened, cascades) reaches its threshold.
// Every pause and resume is audited.
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { agentsPaused } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { checkNoise } from "./noise.ts";

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
 * After an agent's session failed validation: checks the project's noise metrics (noise.ts),
 * among them `circuit_max_failures` failed validations in the last hour, and trips the
 * breaker when one reached its threshold. Returns whether it tripped.
 */
export async function noteAgentFailure(db: Db, projectId: string): Promise<boolean> {
  return (await checkNoise(db, projectId)) !== null;
}
