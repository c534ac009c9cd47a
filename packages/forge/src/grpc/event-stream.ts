// StreamEvents: a session's conversation after a sequence number, read with the sessions
// service's listEvents; with `follow`, the session first, then new events and each change of
// its status as they happen, until the session closes (its last events are sent first), the
// client goes away, the forge shuts down, or STREAM_LIMITS.maxStreamMs passes (clients resume
// with after_seq). Appends are not announced across processes, so a follower reads every
// pollMs; every heartbeatMs it checks, as the SSE stream does, that the caller's credential
// still holds and the project is still readable to it.
import type { Viewer } from "../accounts/viewer.ts";
import type { Forge } from "../http/context.ts";
import { stillReadable } from "../sessions/events-api.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { getSession, listEvents } from "../sessions/sessions-service.ts";
import type { StreamEventsResponse } from "./gen/micelio/sessions/v1/sessions_pb.ts";
import { eventMessage, sessionMessage } from "./session-messages.ts";

export const STREAM_LIMITS = { pollMs: 500, heartbeatMs: 15_000, maxStreamMs: 5 * 60_000 };
const PAGE = 500;

type Item = Pick<StreamEventsResponse, "item">;

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export async function* sessionEventStream(
  forge: Forge,
  viewer: Viewer,
  ref: { owner: string; project: string; id: string },
  opts: { afterSeq: number; follow: boolean; signal: AbortSignal },
): AsyncGenerator<Item> {
  const { db } = forge;
  const { project, session } = await getSession(db, viewer, ref.owner, ref.project, ref.id);
  const limits = STREAM_LIMITS;
  let cursor = opts.afterSeq;
  let status: SessionRow["status"] = session.status;
  if (opts.follow) yield { item: { case: "session", value: sessionMessage(session) } };
  const started = Date.now();
  let checked = Date.now();
  for (let last = !opts.follow || status !== "open"; ; ) {
    for (;;) {
      const events = await listEvents(db, session.id, cursor, PAGE);
      for (const e of events) {
        if (opts.signal.aborted) return;
        yield { item: { case: "event", value: eventMessage(e) } };
        cursor = e.seq;
      }
      if (events.length < PAGE) break;
    }
    if (last || opts.signal.aborted || Date.now() - started >= limits.maxStreamMs) return;
    if (Date.now() - checked >= limits.heartbeatMs) {
      if (!(await stillReadable(db, viewer, project.id))) return;
      checked = Date.now();
    }
    await sleep(limits.pollMs, opts.signal);
    const row = await db.selectFrom("sessions").selectAll().where("id", "=", session.id).executeTakeFirst();
    if (!row) return;
    if (row.status !== status) {
      status = row.status;
      yield { item: { case: "session", value: sessionMessage(row as SessionRow) } };
    }
    // Closed: read the events once more (they may have come just before), then end.
    last = status !== "open";
  }
}
