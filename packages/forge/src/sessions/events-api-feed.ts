// The in-process fan-out behind the project event stream: one poll of project_events per
// project per process (about every second), however many clients are listening. Each tick
// tells every listener the newest event id; a listener behind it reads what it missed with
// eventsAfter, from its own cursor, so a client that subscribes late loses nothing.
import type { Db } from "../db/db.ts";
import type { Logger } from "../ops/logger.ts";

export type EventListener = (latestId: number) => void;

interface Feed {
  listeners: Set<EventListener>;
  timer: ReturnType<typeof setInterval>;
  busy: boolean;
}

export const POLL_MS = 1000;
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
  if (feed.busy) return; // a slow query: skip this tick rather than pile up
  feed.busy = true;
  try {
    const latest = await latestEventId(db, projectId);
    for (const listener of feed.listeners) listener(latest);
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
  opts: { log?: Logger; pollMs?: number } = {},
): () => void {
  let byProject = feeds.get(db);
  if (!byProject) {
    byProject = new Map();
    feeds.set(db, byProject);
  }
  let feed = byProject.get(projectId);
  if (!feed) {
    const created: Feed = { listeners: new Set(), busy: false, timer: undefined as never };
    created.timer = setInterval(() => void tick(db, projectId, created, opts.log), opts.pollMs ?? POLL_MS);
    created.timer.unref?.();
    byProject.set(projectId, created);
    feed = created;
  }
  const current = feed;
  current.listeners.add(listener);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0) {
      clearInterval(current.timer);
      if (byProject.get(projectId) === current) byProject.delete(projectId);
    }
  };
}

/** How many projects this process is polling for a database (for tests). */
export const watchedProjects = (db: Db) => feeds.get(db)?.size ?? 0;
