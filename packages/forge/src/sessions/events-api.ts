// GET /api/v1/projects/{owner}/{project}/events: the project's event stream as Server-Sent
// Events (session.created, session.landed, session.conflicted, session.commented; id =
// project_events.id). A
// client resumes with Last-Event-ID (or ?after=): events after that id are replayed first,
// then new ones follow as the shared poller sees them (events-api-feed.ts). Without a cursor
// the stream starts at the newest event. A comment line every 15 s keeps proxies from timing
// out; at each one the credential (token revoked or expired, account suspended, web session
// ended) and read access are checked again, and the stream ends when either no longer holds.
// A stream ends after 5 minutes anyway (clients reconnect with Last-Event-ID) so no
// connection holds a shutting-down server open for long.
import { createRoute, z } from "@hono/zod-openapi";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { Viewer } from "../accounts/viewer.ts";
import { apiRouter, PUBLIC, problems } from "../api/openapi.ts";
import type { Db } from "../db/db.ts";
import { credentialHolds } from "../http/authenticate.ts";
import type { Forge } from "../http/context.ts";
import { projectRole } from "../projects/access.ts";
import { getProject } from "../projects/projects-service.ts";
import { latestEventId, watchProjectEvents } from "./events-api-feed.ts";
import { eventsAfter } from "./project-events.ts";

export const eventsApi = apiRouter();

export const STREAM_LIMITS = { heartbeatMs: 15_000, maxStreamMs: 5 * 60_000, retryMs: 3000 };
const PAGE = 200;
const MAX_ID = 2_147_483_647;

/** A cursor from Last-Event-ID: a non-negative integer id, else ignored. */
export function parseCursor(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,10}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n <= MAX_ID ? n : undefined;
}

eventsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/events",
    ...PUBLIC,
    tags: ["sessions"],
    summary: "The project's live event stream (Server-Sent Events)",
    description: [
      "A `text/event-stream` of the project's events: `session.created`, `session.landed`,",
      "`session.conflicted`, `session.commented` (a review comment: `{session, comment, kind, author}`), `session.rejected`,",
      "`session.review_requested`, `validation.finished` (`{session, author, run, status}`), `push` and `tag` (`{actor, refs}`), `star` (`{actor}`), `fork`",
      "(`{actor, fork, private}`) and `review.over_capacity` (the review queue crossed the maintainers' weekly budget:",
      "`{queue_minutes, remaining_minutes, reasons, …}`). Each message has `id:` (the event id, increasing), `event:` (the",
      "type) and `data:` (the event as JSON, with `created_at`). To resume, send `Last-Event-ID`",
      "(browsers' EventSource does) or `?after=<id>`: events after that id are replayed first.",
      "Without either the stream starts with the next new event; `?after=0` replays everything.",
      "A comment line is sent every 15 seconds; the server ends a stream after 5 minutes, and",
      "clients reconnect with Last-Event-ID.",
    ].join(" "),
    request: {
      params: z.object({ owner: z.string().max(100), project: z.string().max(200) }),
      query: z.object({ after: z.coerce.number().int().min(0).max(MAX_ID).optional() }),
      headers: z.object({
        "last-event-id": z.string().optional().openapi({ description: "Resume after this event id" }),
      }),
    },
    responses: {
      200: {
        description: "The event stream",
        content: {
          "text/event-stream": {
            schema: z.string().openapi({
              example:
                'id: 42\nevent: session.landed\ndata: {"session":"01J…","position":7,"commit":"…","goal":"…","author":"ada","created_at":"…"}\n\n',
            }),
          },
        },
      },
      404: problems[404],
    },
  }),
  async (c) => {
    const forge = c.get("forge");
    const viewer = c.get("viewer");
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(forge.db, viewer, owner, project);
    const start =
      parseCursor(c.req.header("last-event-id")) ??
      c.req.valid("query").after ??
      (await latestEventId(forge.db, p.id));
    const signal = c.req.raw.signal;
    const res = streamSSE(c, (stream) => pump(stream, forge, viewer, p.id, start, signal));
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Accel-Buffering", "no"); // nginx: pass events through as they come
    return res as never;
  },
);

/**
 * Whether the viewer may still read the project: its credential still holds (the token not
 * revoked or expired, the account not suspended) and the project was not deleted or made
 * private to it.
 */
export async function stillReadable(db: Db, viewer: Viewer, projectId: string) {
  if (!(await credentialHolds(db, viewer))) return false;
  const row = await db.selectFrom("projects").selectAll().where("id", "=", projectId).executeTakeFirst();
  return row !== undefined && (await projectRole(db, viewer, row)) !== "none";
}

/** Writes every event after `cursor` (in pages) and returns the new cursor. */
async function flush(stream: SSEStreamingApi, db: Db, projectId: string, cursor: number) {
  for (;;) {
    const rows = await eventsAfter(db, projectId, cursor, PAGE);
    for (const e of rows) {
      if (stream.aborted) return cursor;
      const data = { ...(e.data as Record<string, unknown>), created_at: e.created_at };
      await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(data) });
      cursor = e.id;
    }
    if (rows.length < PAGE) return cursor;
  }
}

async function pump(
  stream: SSEStreamingApi,
  forge: Forge,
  viewer: Viewer,
  projectId: string,
  start: number,
  signal: AbortSignal,
) {
  const { db } = forge;
  const limits = STREAM_LIMITS;
  let cursor = start;
  let pending = true; // replay first
  let closed = false;
  let wake: (() => void) | undefined;
  const nudge = () => wake?.();
  const close = () => {
    closed = true;
    nudge();
  };
  stream.onAbort(close);
  if (signal.aborted) closed = true;
  else signal.addEventListener("abort", close, { once: true });
  const unwatch = watchProjectEvents(
    db,
    projectId,
    (latest) => {
      if (latest > cursor) {
        pending = true;
        nudge();
      }
    },
    { log: forge.log, bus: forge.bus },
  );
  const started = Date.now();
  let beat = Date.now();
  try {
    await stream.write(`retry: ${limits.retryMs}\n\n`);
    while (!closed && !stream.aborted) {
      if (pending) {
        pending = false;
        cursor = await flush(stream, db, projectId, cursor);
        continue;
      }
      if (Date.now() - started >= limits.maxStreamMs) break;
      const wait = Math.min(
        limits.heartbeatMs - (Date.now() - beat),
        limits.maxStreamMs - (Date.now() - started),
      );
      if (wait <= 0) {
        if (!(await stillReadable(db, viewer, projectId))) break;
        await stream.write(": keep-alive\n\n");
        beat = Date.now();
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, wait);
        wake = done;
      });
    }
  } catch (err) {
    if (!closed) forge.log.warn({ err, projectId }, "event stream failed");
  } finally {
    unwatch();
    signal.removeEventListener("abort", close);
  }
}
