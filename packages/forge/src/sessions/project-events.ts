// A project's event stream: session.created, session.landed, session.conflicted,
// session.commented (a review comment: reviews/), session.rejected, validation.finished, push
// and tag (refs moved by a push), star and fork (webhooks/ delivers these), review.over_capacity
// (the review queue outgrew the maintainers' weekly budget: trust/review-budget.ts). Events are
// rows (written in the transaction of the change where there is one), so any process can
// serve them and clients can resume after a reconnect; each write also tells every forge
// process's stream readers, on commit, through the bus (db/notify-bus.ts).
import type { Db } from "../db/db.ts";
import { type NotifyBus, notify } from "../db/notify-bus.ts";

/** The bus channel that says "this project has new events"; the payload is the project id. */
export const PROJECT_EVENTS_CHANNEL = "project_events";

export type ProjectEventType =
  | "session.created"
  | "session.landed"
  | "session.conflicted"
  | "session.commented"
  | "session.rejected"
  | "session.review_requested"
  | "session.mentioned"
  | "validation.finished"
  | "push"
  | "tag"
  | "star"
  | "fork"
  | "review.over_capacity"
  /** The agents' circuit breaker tripped (trust/noise.ts): metric, value, threshold, reason. */
  | "agents.paused";

export async function recordProjectEvent(
  db: Db,
  projectId: string,
  type: ProjectEventType,
  data: Record<string, unknown>,
) {
  await db
    .insertInto("project_events")
    .values({ project_id: projectId, type, data: JSON.stringify(data) })
    .execute();
  await notify(db, PROJECT_EVENTS_CHANNEL, projectId);
}

/** A push's accepted refs as events: `push` for branches, `tag` for tags. */
export async function recordPush(db: Db, projectId: string, actor: string, refs: string[]) {
  const tags = refs.filter((r) => r.startsWith("refs/tags/"));
  const branches = refs.filter((r) => !r.startsWith("refs/tags/"));
  if (branches.length) await recordProjectEvent(db, projectId, "push", { actor, refs: branches });
  if (tags.length) await recordProjectEvent(db, projectId, "tag", { actor, refs: tags });
}

export async function eventsAfter(db: Db, projectId: string, after: number, limit = 200) {
  const rows = await db
    .selectFrom("project_events")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, type: r.type, data: r.data, created_at: r.created_at.toISOString() }));
}

/**
 * Calls `run` when any process announces new project events, at most every 250 ms per process
 * (the fan-outs of webhooks and notifications: their cursors make a missed call harmless).
 * Returns the function that stops listening.
 */
export function whenProjectEvents(
  bus: NotifyBus,
  run: () => Promise<unknown>,
  onError: (err: unknown) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  const unsubscribe = bus.subscribe(PROJECT_EVENTS_CHANNEL, () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      run().catch(onError);
    }, 250);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
