// The notice that a local actor went away (a project deleted or made private), queued by the
// projects service in its own transaction; actor-lifecycle.ts sends it. Kept apart so that
// callers outside federation/ do not load Fedify.
import type { Db } from "../db/db.ts";
import { enqueue } from "../jobs/index.ts";

export const ACTOR_GONE_JOB = "federation.actor-gone";

export interface ActorGone {
  /** The project's or account's id (followers and keys are kept by it). */
  id: string;
  /** Its actor identifier when it went ("owner.project" or the handle). */
  identifier: string;
}

/** Queues the notice that an actor is gone (in the caller's transaction), when it has followers. */
export async function actorGoneLater(db: Db, gone: ActorGone) {
  const follower = await db
    .selectFrom("federation_followers")
    .select("local_id")
    .where("local_id", "=", gone.id)
    .limit(1)
    .executeTakeFirst();
  if (follower) await enqueue(db, ACTOR_GONE_JOB, { ...gone });
}
