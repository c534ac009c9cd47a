// When a local actor goes away — a project deleted or made private — its remote followers are
// told with a signed `Delete` of the actor (what Mastodon understands for an account that is
// gone: it removes the follow and the account's posts), and its follower rows are dropped, so a
// project made public again starts with no followers. The caller queues the job in its own
// transaction (actor-gone.ts), so the row change and the notice commit together; the job signs
// with the actor's kept key (federation_keys is kept by id and outlives the project).
import { Delete, PUBLIC_COLLECTION } from "@fedify/fedify";
import { ulid } from "@micelio/core/ulid";
import type { Forge } from "../http/context.ts";
import type { ActorGone } from "./actor-gone.ts";
import { blockedHost, enqueueDelivery, federationOf } from "./federation.ts";

/** Sends `Delete` of the actor to each follower inbox once, then forgets the followers. */
export async function actorGone(forge: Forge, baseUrl: string, gone: ActorGone): Promise<number> {
  const followers = await forge.db
    .selectFrom("federation_followers")
    .select(["actor_uri", "inbox_url"])
    .where("local_id", "=", gone.id)
    .execute();
  if (followers.length === 0) return 0;
  let sent = 0;
  if (forge.config.federation.enabled) {
    const ctx = federationOf(forge).createContext(new URL(baseUrl), forge);
    const actor = ctx.getActorUri(gone.identifier);
    const del = new Delete({
      id: new URL(`${actor.href}#delete/${ulid().toLowerCase()}`),
      actor,
      object: actor,
      to: PUBLIC_COLLECTION,
      ccs: followers.map((f) => new URL(f.actor_uri)),
    });
    const inboxes = new Set(followers.map((f) => f.inbox_url));
    await forge.db.transaction().execute(async (trx) => {
      for (const inbox of inboxes) {
        if (blockedHost(forge.config.federation.block, new URL(inbox).hostname)) continue;
        await enqueueDelivery(ctx, gone, new URL(inbox), del, { db: trx });
        sent++;
      }
      await trx.deleteFrom("federation_followers").where("local_id", "=", gone.id).execute();
    });
  } else {
    await forge.db.deleteFrom("federation_followers").where("local_id", "=", gone.id).execute();
  }
  return sent;
}
