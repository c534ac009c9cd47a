// Following a session: its conversation after a sequence number, read with the sessions
// service's listEvents; with `follow`, the session first, then new events and each change of
// its status as they happen, until the session closes (its last events are sent first), the
// client goes away, the forge shuts down, or STREAM_LIMITS.maxStreamMs passes (clients resume
// from the last sequence number they saw). gRPC StreamEvents (grpc/event-stream.ts) and the
// session events' SSE stream (sessions-api.ts) both read it. A follower wakes when the bus (db/notify-bus.ts) says the session has new
// events or a new status (appends and closes notify SESSION_CHANNEL, landings the project's
// events channel, from any forge process, on commit), and reads anyway every pollMs in case
// a message was lost. Every heartbeatMs it checks, as the SSE stream does, that the caller's
// credential still holds and the project is still readable to it.
import type { Viewer } from "../accounts/viewer.ts";
import type { Forge } from "../http/context.ts";
import { stillReadable } from "./events-api.ts";
import { PROJECT_EVENTS_CHANNEL } from "./project-events.ts";
import type { SessionRow } from "./session-types.ts";
import { getSession, listEvents, SESSION_CHANNEL } from "./sessions-service.ts";

export const STREAM_LIMITS = { pollMs: 5_000, heartbeatMs: 15_000, maxStreamMs: 5 * 60_000 };
const PAGE = 500;

export type FollowItem =
  | { kind: "session"; session: SessionRow }
  | { kind: "event"; event: Awaited<ReturnType<typeof listEvents>>[number] };

/** A wake-up flag: set by the bus, awaited by the stream; a set before the wait is not lost. */
function waker(signal: AbortSignal) {
  let pending = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    pending = true;
    wake?.();
  };
  signal.addEventListener("abort", nudge, { once: true });
  return {
    nudge,
    /** Resolves at the next nudge (or at once after one since the last wait), or after ms. */
    wait(ms: number) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, pending || signal.aborted ? 0 : ms);
        wake = done;
      });
    },
    stop: () => signal.removeEventListener("abort", nudge),
  };
}

export async function* followSession(
  forge: Forge,
  viewer: Viewer,
  ref: { owner: string; project: string; id: string },
  opts: { afterSeq: number; follow: boolean; signal: AbortSignal },
): AsyncGenerator<FollowItem> {
  const { db } = forge;
  const { project, session } = await getSession(db, viewer, ref.owner, ref.project, ref.id);
  const limits = STREAM_LIMITS;
  let cursor = opts.afterSeq;
  let status: SessionRow["status"] = session.status;
  // Listening before the first read: nothing appended after it is missed. null: the bus
  // reconnected and may have lost messages.
  const woken = waker(opts.signal);
  const unsubscribe = opts.follow
    ? [
        forge.bus.subscribe(SESSION_CHANNEL, (p) => (p === null || p === session.id) && woken.nudge()),
        forge.bus.subscribe(PROJECT_EVENTS_CHANNEL, (p) => (p === null || p === project.id) && woken.nudge()),
      ]
    : [];
  try {
    if (opts.follow) yield { kind: "session", session };
    const started = Date.now();
    let checked = Date.now();
    for (let last = !opts.follow || status !== "open"; ; ) {
      for (;;) {
        const events = await listEvents(db, session.id, cursor, PAGE);
        for (const e of events) {
          if (opts.signal.aborted) return;
          yield { kind: "event", event: e };
          cursor = e.seq;
        }
        if (events.length < PAGE) break;
      }
      if (last || opts.signal.aborted) return;
      const elapsed = Date.now() - started;
      if (elapsed >= limits.maxStreamMs) return;
      if (Date.now() - checked >= limits.heartbeatMs) {
        if (!(await stillReadable(db, viewer, project.id))) return;
        checked = Date.now();
      }
      await woken.wait(Math.min(limits.pollMs, limits.heartbeatMs, limits.maxStreamMs - elapsed));
      const row = await db.selectFrom("sessions").selectAll().where("id", "=", session.id).executeTakeFirst();
      if (!row) return;
      if (row.status !== status) {
        status = row.status;
        yield { kind: "session", session: row as SessionRow };
      }
      // Closed: read the events once more (they may have come just before), then end.
      last = status !== "open";
    }
  } finally {
    for (const stop of unsubscribe) stop();
    woken.stop();
  }
}
