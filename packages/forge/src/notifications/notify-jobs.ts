// Notifications from the project event stream: a fan-out job (a cursor over project_events,
// sessions/event-cursor.ts) writes each recipient's inbox row, and mails it at once
// to those who want instant mail; a daily job mails the others a digest. Before any mail the
// forge checks again that the recipient may still read the project, and that the notification
// is still unread.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import { enqueue } from "../jobs/index.ts";
import type { JobHandler } from "../jobs/types.ts";
import { enqueueMail } from "../mail/mail-jobs.ts";
import type { Logger } from "../ops/logger.ts";
import { consumeEvents } from "../sessions/event-cursor.ts";
import { whenProjectEvents } from "../sessions/project-events.ts";
import { readableByAccount } from "../social/social-columns.ts";
import { type ProjectEvent, type Reason, RULES, readersAmong, recipientsOfAll } from "./recipients.ts";

export const NOTIFY_FANOUT_JOB = "notifications.fanout";
export const NOTIFY_EMAIL_JOB = "notifications.email";
export const NOTIFY_DIGEST_JOB = "notifications.digest";
export const NOTIFY_DIGEST_CRON = {
  name: "notifications-digest",
  pattern: "0 0 7 * * *",
  kind: NOTIFY_DIGEST_JOB,
};
const BATCH = 500;

const REASONS: Record<Reason, string> = {
  mention: "you were mentioned",
  review_requested: "you administer the project and a session waits for review",
  author: "it is about your session",
  administrator: "you administer the project",
  watching: "you watch the project",
  following: "you follow its author",
};

/** The inbox line and link of an event. */
export function describe(e: ProjectEvent, project: string): { title: string; url: string } {
  const d = e.data;
  const goal = typeof d.goal === "string" ? d.goal : "";
  const session = typeof d.session === "string" ? d.session : null;
  const url = session ? `/${project}/sessions/${session}` : `/${project}`;
  const who = String(d.actor ?? d.author ?? "someone");
  const titles: Record<string, string> = {
    "session.created": `${who} opened a session: ${goal}`,
    "session.landed": `Landed at position ${d.position}: ${goal}`,
    "session.conflicted": `A land met a conflict: ${goal}`,
    "session.rejected": `A session was rejected${d.reason ? ` (${d.reason})` : ""}: ${goal}`,
    "session.review_requested": `Waiting for your review: ${goal}`,
    "session.commented": `${who} commented on a session`,
    "session.mentioned": `${who} mentioned you in a session: ${goal}`,
    "validation.finished": `Validation ${d.status} for a session`,
    push: `${who} pushed ${Array.isArray(d.refs) ? d.refs.join(", ") : ""}`,
    tag: `${who} tagged ${Array.isArray(d.refs) ? d.refs.map((r) => String(r).replace("refs/tags/", "")).join(", ") : ""}`,
    star: `${who} starred the project`,
    fork: `${who} forked the project`,
    "review.over_capacity": "The review queue outgrew the weekly review budget",
    "agents.paused": `The circuit breaker paused agents: ${d.reason ?? ""}`,
  };
  return { title: (titles[e.type] ?? e.type).slice(0, 300), url };
}

/** The person's mail settings, made on first use (with their unsubscribe token). */
export async function settingsOf(db: Db, userId: string) {
  await db
    .insertInto("notification_settings")
    .values({ user_id: userId, unsubscribe: randomBytes(24).toString("hex") })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  return db
    .selectFrom("notification_settings")
    .selectAll()
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
}

export async function fanOutNotifications(db: Db): Promise<number> {
  const { result, more } = await consumeEvents(db, "notification_cursor", BATCH, async (trx, ids) => {
    const events = await sql<ProjectEvent & { project: string }>`
      SELECT e.id, e.project_id, e.type, e.data, o.handle || '/' || p.handle AS project
      FROM project_events e JOIN projects p ON p.id = e.project_id JOIN accounts o ON o.id = p.owner_id
      WHERE e.id = ANY(${ids}::bigint[]) AND e.type = ANY(${Object.keys(RULES)}::text[])
      ORDER BY e.id`.execute(trx);
    const recipients = await recipientsOfAll(trx, events.rows);
    const values = events.rows.flatMap((e) => {
      const to = recipients.get(e.id);
      if (!to) return [];
      const { title, url } = describe(e, e.project);
      const actor =
        typeof e.data.actor === "string"
          ? e.data.actor
          : typeof e.data.author === "string"
            ? e.data.author
            : null;
      return [...to].map(([user_id, reason]) => ({
        user_id,
        project_id: e.project_id,
        event_id: e.id,
        kind: e.type,
        reason,
        title,
        url,
        actor,
      }));
    });
    if (values.length === 0) return 0;
    const rows = await trx
      .insertInto("notifications")
      .values(values)
      .onConflict((oc) => oc.columns(["user_id", "event_id"]).doNothing())
      .returning(["id", "kind"])
      .execute();
    for (const r of rows)
      if (!RULES[r.kind]?.inboxOnly) await enqueue(trx, NOTIFY_EMAIL_JOB, { notification: Number(r.id) });
    return rows.length;
  });
  if (more) await enqueue(db, NOTIFY_FANOUT_JOB, {}, { uniqueKey: NOTIFY_FANOUT_JOB });
  return result ?? 0;
}

/** One notification by mail, if its recipient wants it now and may still read the project. */
export async function emailNotification(db: Db, id: number) {
  const n = await db
    .selectFrom("notifications as n")
    .innerJoin("accounts as a", "a.id", "n.user_id")
    .innerJoin("projects as p", "p.id", "n.project_id")
    .innerJoin("accounts as o", "o.id", "p.owner_id")
    .select([
      "n.id",
      "n.user_id",
      "n.project_id",
      "n.kind",
      "n.reason",
      "n.title",
      "n.url",
      "n.read_at",
      "n.emailed_at",
      "a.handle",
      "a.email",
      "o.handle as owner",
      "p.handle as project",
    ])
    .where("n.id", "=", id)
    .executeTakeFirst();
  if (!n?.project_id || n.read_at || n.emailed_at || !n.email) return false;
  const settings = await settingsOf(db, n.user_id);
  if (settings.email !== "instant" || settings.muted_kinds.includes(n.kind)) return false;
  if (!(await readersAmong(db, n.project_id, [n.user_id])).has(n.user_id)) return false;
  const unsubscribe = `/notifications/unsubscribe/${settings.unsubscribe}`;
  await db.transaction().execute(async (trx) => {
    await enqueueMail(
      trx,
      n.email!,
      "notification",
      {
        handle: n.handle,
        title: n.title,
        project: `${n.owner}/${n.project}`,
        url: n.url,
        reason: REASONS[n.reason as Reason] ?? n.reason,
        unsubscribe,
      },
      {
        "List-Unsubscribe": `<{{base}}/api/v1/notifications/unsubscribe/${settings.unsubscribe}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
    );
    await trx.updateTable("notifications").set({ emailed_at: new Date() }).where("id", "=", n.id).execute();
  });
  return true;
}

/** The daily digest for everyone who chose it: their unread, unmailed notifications still readable. */
export async function sendDigests(db: Db, now = new Date()) {
  const since = new Date(now.getTime() - 86_400_000);
  const people = await db
    .selectFrom("notification_settings as s")
    .innerJoin("accounts as a", "a.id", "s.user_id")
    .select(["s.user_id", "s.unsubscribe", "s.muted_kinds", "a.handle", "a.email", "a.is_admin"])
    .where("s.email", "=", "daily")
    .where("a.email", "is not", null)
    .where("a.suspended_at", "is", null)
    .execute();
  let sent = 0;
  for (const person of people) {
    const items = await db
      .selectFrom("notifications as n")
      .innerJoin("projects as p", "p.id", "n.project_id")
      .innerJoin("accounts as o", "o.id", "p.owner_id")
      .select([
        "n.id",
        "n.kind",
        "n.title",
        "n.url",
        "n.project_id",
        "o.handle as owner",
        "p.handle as project",
      ])
      .where("n.user_id", "=", person.user_id)
      .where("n.read_at", "is", null)
      .where("n.emailed_at", "is", null)
      .where("n.created_at", ">=", since)
      // Only of projects the person may still read, checked in the same query.
      .where((eb) => eb.or([eb.val(person.is_admin), readableByAccount(sql`${person.user_id}`, "p")]))
      .orderBy("n.id")
      .limit(200)
      .execute();
    const kept = items.filter((i) => !person.muted_kinds.includes(i.kind));
    if (kept.length === 0) continue;
    await db.transaction().execute(async (trx) => {
      await enqueueMail(
        trx,
        person.email!,
        "notification_digest",
        {
          handle: person.handle,
          items: kept.map((i) => ({ title: i.title, project: `${i.owner}/${i.project}`, url: i.url })),
          unsubscribe: `/notifications/unsubscribe/${person.unsubscribe}`,
        },
        {
          "List-Unsubscribe": `<{{base}}/api/v1/notifications/unsubscribe/${person.unsubscribe}>`,
          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
      );
      await trx
        .updateTable("notifications")
        .set({ emailed_at: now })
        .where(
          "id",
          "in",
          kept.map((i) => i.id),
        )
        .execute();
    });
    sent++;
  }
  return sent;
}

export function notificationJobHandlers(db: Db): Record<string, JobHandler> {
  return {
    [NOTIFY_FANOUT_JOB]: async () => {
      await fanOutNotifications(db);
    },
    [NOTIFY_EMAIL_JOB]: async (p: { notification: number }) => {
      await emailNotification(db, p.notification);
    },
    [NOTIFY_DIGEST_JOB]: async () => {
      await sendDigests(db);
    },
  };
}

/** Asks for a fan-out whenever project events arrive (sessions/project-events.ts). */
export const watchForNotifications = (db: Db, bus: NotifyBus, log: Logger) =>
  whenProjectEvents(
    bus,
    () => enqueue(db, NOTIFY_FANOUT_JOB, {}, { uniqueKey: NOTIFY_FANOUT_JOB }),
    (err) => log.warn({ err }, "asking for a notification fan-out failed"),
  );
