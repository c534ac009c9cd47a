// Validation as a job: a session is validated in the background when its changes arrive
// (several uploads in a row make one job), so that its land usually finds the run done.
import type { Forge } from "../http/context.ts";
import { enqueue, type JobHandler } from "../jobs/index.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { trunkChecks, validateSession } from "./validation-service.ts";

export const VALIDATE_JOB = "session.validate";

/** Queues a validation when the project has checks on trunk and the forge runs a sandbox. */
export async function scheduleValidation(forge: Forge, projectId: string, sessionId: string) {
  if (forge.config.sandbox.provider === "none") return;
  const trunk = await trunkChecks(forge, projectId);
  if (!trunk.parsed?.ok) return;
  await enqueue(
    forge.db,
    VALIDATE_JOB,
    { projectId, sessionId },
    { uniqueKey: `${VALIDATE_JOB}:${sessionId}`, delayMs: 1000 },
  );
}

export function validationJobHandlers(forge: Forge): Record<string, JobHandler> {
  return {
    [VALIDATE_JOB]: async (payload: { projectId: string; sessionId: string }) => {
      const session = (await forge.db
        .selectFrom("sessions")
        .selectAll()
        .where("id", "=", payload.sessionId)
        .executeTakeFirst()) as SessionRow | undefined;
      if (session?.status !== "open") return;
      const project = await forge.db
        .selectFrom("projects")
        .select("head_position")
        .where("id", "=", payload.projectId)
        .executeTakeFirst();
      if (!project) return;
      await validateSession(forge, payload.projectId, project.head_position, session, "changes");
    },
  };
}
