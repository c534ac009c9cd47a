// Alerts to a project's maintainers: one message by mail (the job queue, mail/mail-jobs.ts)
// to each administrator of the project with an email address — the owner when a person owns
// it, the organization's owners otherwise — at most once per kind and project in `everyHours`
// (de-duplicated in maintainer_alerts, in the caller's transaction). Any trust rule may call
// it: alertProjectMaintainers(db, projectId, { kind, subject, text }).
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { enqueueMail } from "../mail/mail-jobs.ts";

export interface MaintainerAlert {
  /** What the alert is about (e.g. "agents.paused"); the de-duplication key with the project. */
  kind: string;
  subject: string;
  /** Plain text; blank lines separate paragraphs. */
  text: string;
  /** The page the message links to (default: the project's settings). */
  path?: string;
  /** Not the same kind again for this project within this many hours (default 24). */
  everyHours?: number;
}

/** The project's administrators who can be mailed: handle and address. */
export async function projectAdministrators(db: Db, projectId: string) {
  return db
    .selectFrom("projects as p")
    .innerJoin("accounts as a", (j) =>
      j.on((eb) =>
        eb.or([
          eb.and([eb("a.id", "=", eb.ref("p.owner_id")), eb("a.kind", "=", "user")]),
          eb(
            "a.id",
            "in",
            eb
              .selectFrom("org_members as m")
              .select("m.user_id")
              .whereRef("m.org_id", "=", "p.owner_id")
              .where("m.role", "=", "owner"),
          ),
        ]),
      ),
    )
    .select(["a.handle", "a.email"])
    .where("p.id", "=", projectId)
    .where("a.email", "is not", null)
    .where("a.suspended_at", "is", null)
    .orderBy("a.handle")
    .execute() as Promise<{ handle: string; email: string }[]>;
}

/**
 * Mails the alert to the project's administrators unless the same kind went out for this
 * project less than `everyHours` ago. Returns the handles mailed (empty when de-duplicated).
 */
export async function alertProjectMaintainers(
  db: Db,
  projectId: string,
  alert: MaintainerAlert,
): Promise<string[]> {
  const hours = alert.everyHours ?? 24;
  const claimed = await sql<{ kind: string }>`
    INSERT INTO maintainer_alerts (project_id, kind, sent_at) VALUES (${projectId}, ${alert.kind}, now())
    ON CONFLICT (project_id, kind) DO UPDATE SET sent_at = now()
      WHERE maintainer_alerts.sent_at <= now() - make_interval(secs => ${hours * 3600}::float8)
    RETURNING kind`.execute(db);
  if (claimed.rows.length === 0) return [];
  const project = await db
    .selectFrom("projects as p")
    .innerJoin("accounts as o", "o.id", "p.owner_id")
    .select(["p.handle", "o.handle as owner"])
    .where("p.id", "=", projectId)
    .executeTakeFirstOrThrow();
  const name = `${project.owner}/${project.handle}`;
  const admins = await projectAdministrators(db, projectId);
  for (const a of admins)
    await enqueueMail(db, a.email, "maintainer_alert", {
      handle: a.handle,
      project: name,
      subject: alert.subject,
      text: alert.text,
      path: alert.path ?? `/${name}/settings`,
    });
  return admins.map((a) => a.handle);
}
