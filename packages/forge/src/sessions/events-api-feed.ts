// The fan-out behind the project event stream: one reader of project_events per project per
// process, however many clients are listening. It reads when the bus says the project has
// new events (a NOTIFY sent by the writing transaction on commit, from any forge process:
// db/notify-bus.ts) and, as a safety net, on a slow poll (every second without a bus). Each
// read tells every listener the newest event id; a listener behind it reads what it missed
// with eventsAfter, from its own cursor, so a client that subscribes late loses nothing.
import type { Db } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import type { Logger } from "../ops/logger.ts";
import { PROJECT_EVENTS_CHANNEL } from "./project-events.ts";

export type EventListener = (latestId: number) => void;

interface Feed {
  listeners: Set<EventListener>;
  timer: ReturnType<typeof setInterval>;
  busy: boolean;
  /** A message came while a read was running: read again after it. */
  again: boolean;
  unsubscribe?: () => void;
}

export const POLL_MS = 1000;
/** The safety-net poll when a bus delivers new events as they commit. */
export const BUS_POLL_MS = 10_000;
const feeds = new WeakMap<Db, Map<string, Feed>>();

/** The id of the project's newest event (0 when it has none). */
export async function latestEventId(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom("project_events")
    .select((eb) => eb.fn.max("id").as("id"))
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

async function tick(db: Db, projectId: string, feed: Feed, log?: Logger) {
  if (feed.busy) {
    feed.again = true; // a slow query: read once more after it rather than pile up
    return;
  }
  feed.busy = true;
  try {
    do {
      feed.again = false;
      const latest = await latestEventId(db, projectId);
      for (const listener of feed.listeners) listener(latest);
    } while (feed.again && feed.listeners.size > 0);
  } catch (err) {
    log?.warn({ err, projectId }, "polling project events failed");
  } finally {
    feed.busy = false;
  }
}

/** Calls listener with the newest event id every pollMs until the returned function is called. */
export function watchProjectEvents(
  db: Db,
  projectId: string,
  listener: EventListener,
  opts: { log?: Logger; pollMs?: number; bus?: NotifyBus } = {},
): () => void {
  let byProject = feeds.get(db);
  if (!byProject) {
    byProject = new Map();
    feeds.set(db, byProject);
  }
  let feed = byProject.get(projectId);
  if (!feed) {
    const created: Feed = { listeners: new Set(), busy: false, again: false, timer: undefined as never };
    const read = () => void tick(db, projectId, created, opts.log);
    created.timer = setInterval(read, opts.pollMs ?? (opts.bus ? BUS_POLL_MS : POLL_MS));
    created.timer.unref?.();
    // null: the bus reconnected and may have missed messages.
    created.unsubscribe = opts.bus?.subscribe(PROJECT_EVENTS_CHANNEL, (payload) => {
      if (payload === null || payload === projectId) read();
    });
    byProject.set(projectId, created);
    feed = created;
  }
  const current = feed;
  current.listeners.add(listener);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0) {
      clearInterval(current.timer);
      current.unsubscribe?.();
      if (byProject.get(projectId) === current) byProject.delete(projectId);
    }
  };
}

/** How many projects this process is polling for a database (for tests). */
export const watchedProjects = (db: Db) => feeds.get(db)?.size ?? 0;
