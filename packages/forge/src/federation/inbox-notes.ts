// Notes that arrive in an inbox. A Create of a Note that replies (inReplyTo) to a published note
// of a public project (/ap/actors/owner.project/notes/N) or to a session's page is a remote
// reply: kept pending for the project's maintainers (replies.ts); anything else is kept for the
// local users who follow its author (their federation inbox and home feed). An Update of a reply
// edits it (an approved reply goes back to pending: maintainers approve what is shown); a Delete
// removes it; a Delete of the actor itself drops its replies and its follows of local actors.
// Replies are text (remote HTML reduced to text) and capped in size and in count per actor and
// per session; blocked domains were refused before (federation.ts).

import { type Context, type Create, type Delete, Note, Update } from "@fedify/fedify";
import { sql } from "kysely";
import type { Forge } from "../http/context.ts";
import { notifyRemoteNote } from "../notifications/remote-notes.ts";
import { localActor, plainText } from "./federation.ts";

export const MAX_REPLY_CHARS = 5_000;
/** Replies one remote actor may have waiting for moderation on the whole instance. */
export const MAX_PENDING_PER_ACTOR = 20;
/** Replies a session may have waiting for moderation. */
export const MAX_PENDING_PER_SESSION = 200;

const NOTE_URL = /^\/ap\/actors\/([^/]+)\/notes\/(\d{1,15})$/;
const SESSION_URL = /^\/([^/]+)\/([^/]+)\/sessions\/([^/]+)$/;

/** Only web links are kept (pages link to them): never javascript: or data: URLs. */
const web = (u: unknown) => (u instanceof URL && /^https?:$/.test(u.protocol) ? u.href : null);

/** The session of a public project a note replies to, or null. */
export async function replyTarget(ctx: Context<Forge>, to: URL) {
  if (to.origin !== ctx.origin) return null;
  const db = ctx.data.db;
  const note = NOTE_URL.exec(to.pathname);
  const page = note ? null : SESSION_URL.exec(to.pathname);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return "";
    }
  };
  const identifier = note ? decode(note[1]) : page ? `${decode(page[1])}.${decode(page[2])}` : "";
  if (!identifier) return null;
  const project = await localActor(db, identifier);
  if (project?.kind !== "project") return null;
  let sessionId = page ? decode(page[3]) : "";
  if (note) {
    const e = await db
      .selectFrom("project_events")
      .select("data")
      .where("id", "=", Number(note[2]))
      .where("project_id", "=", project.id)
      .where("type", "=", "session.landed")
      .executeTakeFirst();
    const data = (typeof e?.data === "string" ? JSON.parse(e.data) : e?.data) as
      | { session?: unknown }
      | undefined;
    sessionId = typeof data?.session === "string" ? data.session : "";
  }
  if (!sessionId) return null;
  const s = await db
    .selectFrom("sessions")
    .select("id")
    .where("id", "=", sessionId)
    .where("project_id", "=", project.id)
    .executeTakeFirst();
  return s ? { projectId: project.id, sessionId: s.id } : null;
}

function textOf(note: Note) {
  return plainText(note.content?.toString() ?? "").slice(0, MAX_REPLY_CHARS);
}

/** Keeps a reply pending, or edits a kept one; false when the note replies to nothing here. */
export async function receiveReply(ctx: Context<Forge>, activity: Create | Update, note: Note) {
  const to = note.replyTargetId;
  const actorId = activity.actorId;
  if (!to || !actorId || !note.id) return false;
  const target = await replyTarget(ctx, to);
  if (!target) return false;
  // A note is its author's: an activity about someone else's note is dropped.
  if (note.attributionId && note.attributionId.href !== actorId.href) return true;
  if (note.id.origin !== actorId.origin) return true;
  const db = ctx.data.db;
  const content = textOf(note);
  const url = web(note.url) ?? web(note.id);
  if (activity instanceof Update) {
    await db
      .updateTable("federation_replies")
      .set({
        content,
        url,
        updated_at: new Date(),
        state: sql<"pending">`CASE WHEN state = 'approved' THEN 'pending' ELSE state END`,
      })
      .where("note_id", "=", note.id.href)
      .where("actor_uri", "=", actorId.href)
      .execute();
    return true;
  }
  if (!content) return true;
  const waiting = await db
    .selectFrom("federation_replies")
    .select([
      sql<number>`count(*) FILTER (WHERE actor_uri = ${actorId.href})`.as("actor"),
      sql<number>`count(*) FILTER (WHERE session_id = ${target.sessionId})`.as("session"),
    ])
    .where("state", "=", "pending")
    .where((eb) => eb.or([eb("actor_uri", "=", actorId.href), eb("session_id", "=", target.sessionId)]))
    .executeTakeFirst();
  if (Number(waiting?.actor ?? 0) >= MAX_PENDING_PER_ACTOR) return true;
  if (Number(waiting?.session ?? 0) >= MAX_PENDING_PER_SESSION) return true;
  const actor = await activity.getActor(ctx).catch(() => null);
  const name = (actor?.preferredUsername?.toString() ?? "").replace(/[^\w.-]/g, "").slice(0, 100);
  await db
    .insertInto("federation_replies")
    .values({
      project_id: target.projectId,
      session_id: target.sessionId,
      note_id: note.id.href,
      actor_uri: actorId.href,
      author: `${name || "someone"}@${actorId.host}`,
      url,
      content,
    })
    .onConflict((oc) => oc.column("note_id").doNothing())
    .execute();
  return true;
}

/** A note from an actor local users follow: kept for each of them (their inbox and feed). */
export async function receiveFollowedNote(ctx: Context<Forge>, create: Create) {
  if (!create.actorId || !create.id) return;
  const followers = await ctx.data.db
    .selectFrom("federation_following")
    .select(["user_id", "handle"])
    .where("actor_uri", "=", create.actorId.href)
    .where("state", "=", "accepted")
    .execute();
  if (followers.length === 0) return;
  const note = await create.getObject(ctx);
  if (!(note instanceof Note)) return;
  const content = plainText(note.content?.toString() ?? "").slice(0, 2000);
  const url = web(note.url) ?? web(note.id);
  await ctx.data.db
    .insertInto("federation_inbox")
    .values(
      followers.map((f) => ({
        user_id: f.user_id,
        actor_uri: create.actorId?.href ?? "",
        activity_id: create.id?.href ?? "",
        content,
        url,
      })),
    )
    .onConflict((oc) => oc.columns(["user_id", "activity_id"]).doNothing())
    .returning("user_id")
    .execute()
    .then((kept) =>
      // Also in their notifications inbox (only for those who had not received it already).
      notifyRemoteNote(
        ctx.data.db,
        kept.map((k) => k.user_id),
        { actor: followers[0].handle, text: content, url },
      ),
    );
}

/** Create: a reply to a published note, else a note for the local users following its author. */
export async function onCreate(ctx: Context<Forge>, create: Create) {
  const note = await create.getObject(ctx).catch(() => null);
  if (note instanceof Note && (await receiveReply(ctx, create, note))) return;
  await receiveFollowedNote(ctx, create);
}

/** Update of a note: edits the reply it is. */
export async function onUpdate(ctx: Context<Forge>, update: Update) {
  const note = await update.getObject(ctx).catch(() => null);
  if (note instanceof Note) await receiveReply(ctx, update, note);
}

/** Delete of a note (a Tombstone or its id) removes the reply; Delete of the actor removes all of it. */
export async function onDelete(ctx: Context<Forge>, del: Delete) {
  const actorId = del.actorId;
  const objectId = del.objectId;
  if (!actorId || !objectId) return;
  const db = ctx.data.db;
  if (objectId.href === actorId.href) {
    await db.deleteFrom("federation_replies").where("actor_uri", "=", actorId.href).execute();
    await db.deleteFrom("federation_followers").where("actor_uri", "=", actorId.href).execute();
    return;
  }
  await db
    .deleteFrom("federation_replies")
    .where("note_id", "=", objectId.href)
    .where("actor_uri", "=", actorId.href)
    .execute();
}
