// A person's notifications: the inbox (only of projects they may still read), unread count,
// marking read, what they watch per project, and their mail settings (instant, a daily digest,
// or none; kinds muted; the token of one-click unsubscribe links).
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject } from "../projects/projects-service.ts";
import { readableBy } from "../social/social-columns.ts";
import { settingsOf } from "./notify-jobs.ts";
import { RULES } from "./recipients.ts";
import { REMOTE_NOTE } from "./remote-notes.ts";

export const WATCH_LEVELS = ["all", "sessions", "releases", "ignore"] as const;
export const NOTIFICATION_KINDS = [...Object.keys(RULES), REMOTE_NOTE];

const me = (viewer: Viewer) => {
  if (!viewer.user) throw unauthorized();
  return viewer.user;
};

/** Of a project the viewer may still read, or a followed remote actor's note (no project). */
const readableOrRemote = (viewer: Viewer) =>
  sql<boolean>`(n.project_id IS NULL OR ${readableBy(viewer, "p")})`;

export async function listNotifications(
  db: Db,
  viewer: Viewer,
  opts: { unread?: boolean; limit?: number; before?: number; since?: number } = {},
) {
  const user = me(viewer);
  let q = db
    .selectFrom("notifications as n")
    .leftJoin("projects as p", "p.id", "n.project_id")
    .leftJoin("accounts as o", "o.id", "p.owner_id")
    .select([
      "n.id",
      "n.kind",
      "n.reason",
      "n.title",
      "n.url",
      "n.actor",
      "n.read_at",
      "n.created_at",
      "o.handle as owner",
      "p.handle as project",
    ])
    .where("n.user_id", "=", user.id)
    .where(readableOrRemote(viewer))
    .orderBy("n.id", "desc")
    .limit(Math.min(opts.limit ?? 50, 100));
  if (opts.unread) q = q.where("n.read_at", "is", null);
  if (opts.before) q = q.where("n.id", "<", opts.before);
  // A delta for phones: only notifications newer than the id the client last saw.
  if (opts.since !== undefined) q = q.where("n.id", ">", opts.since);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    reason: r.reason,
    title: r.title,
    url: r.url,
    actor: r.actor,
    // A remote note (kind federation.note) belongs to no project.
    project: r.project ? `${r.owner}/${r.project}` : null,
    unread: r.read_at === null,
    created_at: r.created_at.toISOString(),
  }));
}

export async function unreadCount(db: Db, viewer: Viewer): Promise<number> {
  const user = me(viewer);
  const row = await db
    .selectFrom("notifications as n")
    .leftJoin("projects as p", "p.id", "n.project_id")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("n.user_id", "=", user.id)
    .where("n.read_at", "is", null)
    .where(readableOrRemote(viewer))
    .executeTakeFirst();
  return row?.n ?? 0;
}

/** Marks the given notifications (or all) read; returns the unread count left. */
export async function markRead(db: Db, viewer: Viewer, ids?: number[]) {
  const user = me(viewer);
  let q = db
    .updateTable("notifications")
    .set({ read_at: new Date() })
    .where("user_id", "=", user.id)
    .where("read_at", "is", null);
  if (ids) q = q.where("id", "in", ids.length ? ids : [-1]);
  await q.execute();
  return unreadCount(db, viewer);
}

/** Marks one notification read and gives its link (the inbox's links go through this). */
export async function openNotification(db: Db, viewer: Viewer, id: number) {
  const user = me(viewer);
  const n = await db
    .updateTable("notifications")
    .set({ read_at: sql`coalesce(read_at, now())` })
    .where("id", "=", id)
    .where("user_id", "=", user.id)
    .returning("url")
    .executeTakeFirst();
  if (!n) throw notFound("No such notification");
  return n.url;
}

export const watchSchema = z.object({ level: z.enum(WATCH_LEVELS).nullable() });

export async function getWatch(db: Db, viewer: Viewer, owner: string, handle: string) {
  const user = me(viewer);
  const { project } = await getProject(db, viewer, owner, handle);
  const w = await db
    .selectFrom("watches")
    .select("level")
    .where("user_id", "=", user.id)
    .where("project_id", "=", project.id)
    .executeTakeFirst();
  return { level: w?.level ?? null };
}

/** Sets how the person watches the project; null stops watching (participating still notifies). */
export async function setWatch(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  const user = me(viewer);
  const { level } = requireValid(watchSchema, input);
  const { project } = await getProject(db, viewer, owner, handle);
  if (level === null)
    await db
      .deleteFrom("watches")
      .where("user_id", "=", user.id)
      .where("project_id", "=", project.id)
      .execute();
  else
    await db
      .insertInto("watches")
      .values({ user_id: user.id, project_id: project.id, level })
      .onConflict((oc) => oc.columns(["user_id", "project_id"]).doUpdateSet({ level }))
      .execute();
  return { level };
}

export const settingsSchema = z.object({
  email: z.enum(["instant", "daily", "off"]).optional(),
  muted_kinds: z.array(z.string().max(60)).max(40).optional(),
});

export async function getSettings(db: Db, viewer: Viewer) {
  const s = await settingsOf(db, me(viewer).id);
  return { email: s.email, muted_kinds: s.muted_kinds, kinds: NOTIFICATION_KINDS };
}

export async function putSettings(db: Db, viewer: Viewer, input: unknown) {
  const user = me(viewer);
  const data = requireValid(settingsSchema, input);
  await settingsOf(db, user.id);
  await db
    .updateTable("notification_settings")
    .set({
      ...(data.email ? { email: data.email } : {}),
      ...(data.muted_kinds
        ? { muted_kinds: data.muted_kinds.filter((k) => NOTIFICATION_KINDS.includes(k)) }
        : {}),
      updated_at: new Date(),
    })
    .where("user_id", "=", user.id)
    .execute();
  return getSettings(db, viewer);
}

/** One-click unsubscribe: the token stops mails (nothing else is needed, nor shown). */
export async function unsubscribe(db: Db, token: string) {
  const r = await db
    .updateTable("notification_settings")
    .set({ email: "off", updated_at: new Date() })
    .where("unsubscribe", "=", token)
    .returning("user_id")
    .executeTakeFirst();
  return Boolean(r);
}
