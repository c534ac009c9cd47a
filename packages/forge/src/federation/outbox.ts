// What a local actor publishes, as ActivityStreams: the Note of a project event (a landing, or a
// pushed tag as a release), shared by the publisher (federation-jobs.ts), the notes' own URLs
// (an object dispatcher, so a remote server can dereference the note it got or a reply names)
// and the outboxes. A project's outbox lists its landings and releases, newest first; a user's
// lists the landings they made on public projects; an organization's those on its projects.
// Private projects and suspended owners never appear (the queries join on visibility).
import { type Context, Create, type Federation, Note, PUBLIC_COLLECTION } from "@fedify/fedify";
import { sql } from "kysely";
import type { Forge } from "../http/context.ts";
import { localActor } from "./federation.ts";

/** The project events that become notes. */
export const PUBLISHED_EVENTS = ["session.landed", "tag"] as const;
// Literal paths: federation.ts imports this module, so its constants are not ready at load time.
export const NOTE_PATH = "/ap/actors/{identifier}/notes/{id}";
const PAGE = 20;

export interface PublishedEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
  owner: string;
  handle: string;
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The text and link of an event's note, or null for an event that is not published. */
export function noteText(e: PublishedEvent, origin: string): { text: string; url: URL } | null {
  const full = `${e.owner}/${e.handle}`;
  if (e.type === "session.landed") {
    const session = typeof e.data.session === "string" ? e.data.session : "";
    const goal = typeof e.data.goal === "string" ? e.data.goal : "";
    return {
      text: `Landed on ${full} at position ${e.data.position}: ${goal}`,
      url: new URL(`/${e.owner}/${e.handle}/sessions/${encodeURIComponent(session)}`, origin),
    };
  }
  if (e.type === "tag") {
    const refs = Array.isArray(e.data.refs) ? e.data.refs.filter((r) => typeof r === "string") : [];
    const tags = refs.map((r) => r.replace(/^refs\/tags\//, "")).filter(Boolean);
    if (tags.length === 0) return null;
    return {
      text: `Released ${full} ${tags.join(", ")}`,
      url: new URL(`/${e.owner}/${e.handle}/tree/${encodeURIComponent(tags[0])}`, origin),
    };
  }
  return null;
}

/** The Create of an event's Note, from the project's actor to the public and its followers. */
export function eventCreate(ctx: Context<Forge>, e: PublishedEvent): Create | null {
  const said = noteText(e, ctx.origin);
  if (!said) return null;
  const identifier = `${e.owner}.${e.handle}`;
  const actor = ctx.getActorUri(identifier);
  const noteId = ctx.getObjectUri(Note, { identifier, id: String(e.id) });
  return new Create({
    id: new URL(`${noteId.href}#create`),
    actor,
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(identifier),
    object: new Note({
      id: noteId,
      attribution: actor,
      content: escapeHtml(said.text),
      url: said.url,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(identifier),
    }),
  });
}

/** Which published events are the actor's (null: no such actor); private projects never match. */
async function eventsWhere(forge: Forge, identifier: string) {
  const a = await localActor(forge.db, identifier);
  if (!a) return null;
  const by =
    a.kind === "project"
      ? sql`p.id = ${a.id}`
      : a.kind === "org"
        ? sql`p.owner_id = ${a.id}`
        : sql`e.type = 'session.landed' AND e.data->>'author' = ${a.identifier}`;
  return sql`FROM project_events e JOIN projects p ON p.id = e.project_id JOIN accounts o ON o.id = p.owner_id
    WHERE e.type IN ('session.landed', 'tag') AND p.visibility = 'public' AND o.suspended_at IS NULL AND ${by}`;
}

/** The actor's published events, newest first, before the cursor (an event id). */
async function eventsOf(forge: Forge, identifier: string, before: number | null, limit: number) {
  const where = await eventsWhere(forge, identifier);
  if (!where) return null;
  const rows = await sql<PublishedEvent>`
    SELECT e.id, e.type, e.data, o.handle AS owner, p.handle ${where}
      ${before === null ? sql`` : sql`AND e.id < ${before}`}
    ORDER BY e.id DESC LIMIT ${limit}`.execute(forge.db);
  return rows.rows.map((r) => ({
    ...r,
    id: Number(r.id),
    data: typeof r.data === "string" ? JSON.parse(r.data) : r.data,
  }));
}

/** The notes' URLs and the outboxes. */
export function registerOutbox(fed: Federation<Forge>) {
  fed.setObjectDispatcher(Note, NOTE_PATH, async (ctx, values) => {
    const id = Number(values.id);
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const events = await eventsOf(ctx.data, values.identifier, id + 1, 1);
    const e = events?.[0];
    if (!e || e.id !== id || `${e.owner}.${e.handle}`.toLowerCase() !== values.identifier.toLowerCase())
      return null;
    return ((await eventCreate(ctx, e)?.getObject()) as Note | null) ?? null;
  });

  fed
    .setOutboxDispatcher("/ap/actors/{identifier}/outbox", async (ctx, identifier, cursor) => {
      if (cursor === null) return null; // the first cursor is "" for every actor: no such actor
      const before = cursor === "" ? null : Number(cursor);
      if (before !== null && !Number.isSafeInteger(before)) return null;
      const events = await eventsOf(ctx.data, identifier, before, PAGE);
      if (!events) return null;
      const items = events.map((e) => eventCreate(ctx, e)).filter((c): c is Create => c !== null);
      return { items, nextCursor: events.length === PAGE ? String(events[events.length - 1].id) : null };
    })
    .setFirstCursor(async (ctx, identifier) => ((await localActor(ctx.data.db, identifier)) ? "" : null))
    .setCounter(async (ctx, identifier) => {
      const where = await eventsWhere(ctx.data, identifier);
      if (!where) return null;
      const n = await sql<{ n: number }>`SELECT count(*)::int AS n ${where}`.execute(ctx.data.db);
      return Number(n.rows[0]?.n ?? 0);
    });
}
