// Federation's jobs. The publish job keeps a cursor over project_events (sessions/event-cursor.ts,
// like webhooks/deliver.ts) and turns each landing and each pushed tag (a release) of a public
// project whose owner is not suspended into a Create of a Note (outbox.ts) for each remote
// follower of the project. The actor-gone job tells followers a project or account went away
// (actor-lifecycle.ts). The delivery job signs an activity
// with its local actor's key (Fedify's signRequest) and posts it through the outbound guard; a
// blocked domain or federation turned off sends nothing. Failed deliveries are retried by the
// queue's backoff.
import { signRequest } from "@fedify/fedify";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import type { Forge } from "../http/context.ts";
import { enqueue } from "../jobs/index.ts";
import type { JobHandler } from "../jobs/types.ts";
import type { Logger } from "../ops/logger.ts";
import { outboundRequest } from "../outbound/outbound-client.ts";
import { consumeEvents } from "../sessions/event-cursor.ts";
import { whenProjectEvents } from "../sessions/project-events.ts";
import { ACTOR_GONE_JOB, type ActorGone } from "./actor-gone.ts";
import { actorGone } from "./actor-lifecycle.ts";
import { blockedHost, DELIVER_ACTIVITY_JOB, enqueueDelivery, federationOf, keyPairOf } from "./federation.ts";
import { eventCreate } from "./outbox.ts";

export const PUBLISH_JOB = "federation.publish";
const BATCH = 500;

interface Published {
  id: number;
  type: string;
  project_id: string;
  data: Record<string, unknown>;
  owner: string;
  handle: string;
}

/** Publishes the landings since the cursor to the projects' remote followers; returns how many deliveries it queued. */
export async function publishLandings(forge: Forge, baseUrl: string): Promise<number> {
  const { db } = forge;
  const ctx = federationOf(forge).createContext(new URL(baseUrl), forge);
  const { result, more } = await consumeEvents(db, "federation_cursor", BATCH, async (trx, ids) => {
    if (!forge.config.federation.enabled) return 0;
    const events = await sql<Published>`
      SELECT e.id, e.type, e.project_id, e.data, o.handle AS owner, p.handle
      FROM project_events e JOIN projects p ON p.id = e.project_id JOIN accounts o ON o.id = p.owner_id
      WHERE e.id = ANY(${ids}::bigint[]) AND e.type IN ('session.landed', 'tag')
        AND p.visibility = 'public' AND o.suspended_at IS NULL
      ORDER BY e.id`.execute(trx);
    if (events.rows.length === 0) return 0;
    // The followers of every project of the batch, in one query.
    const followers = await trx
      .selectFrom("federation_followers")
      .select(["local_id", "inbox_url"])
      .where("local_id", "in", [...new Set(events.rows.map((e) => e.project_id))])
      .execute();
    let made = 0;
    for (const e of events.rows) {
      const inboxes = new Set(followers.filter((f) => f.local_id === e.project_id).map((f) => f.inbox_url));
      if (inboxes.size === 0) continue;
      const create = eventCreate(ctx, e);
      if (!create) continue;
      const identifier = `${e.owner}.${e.handle}`;
      for (const inbox of inboxes) {
        // Each event is read once (sessions/event-cursor.ts); the key keeps a retried run from doubling.
        await enqueueDelivery(ctx, { id: e.project_id, identifier }, new URL(inbox), create, {
          db: trx,
          uniqueKey: `federation:${e.id}:${inbox}`,
        });
        made++;
      }
    }
    return made;
  });
  if (more) await enqueue(db, PUBLISH_JOB, {}, { uniqueKey: PUBLISH_JOB });
  return result ?? 0;
}

/** Asks for a publish run whenever project events arrive. */
export const watchForFederationEvents = (db: Db, bus: NotifyBus, log: Logger) =>
  whenProjectEvents(
    bus,
    () => enqueue(db, PUBLISH_JOB, {}, { uniqueKey: PUBLISH_JOB }),
    (err) => log.warn({ err }, "asking for a federation publish failed"),
  );

export interface DeliveryPayload {
  owner: string;
  keyId: string;
  inbox: string;
  body: string;
}

/** Signs and posts one activity; throws (the queue retries) when the inbox does not take it. */
export async function deliverActivity(forge: Forge, p: DeliveryPayload) {
  if (!forge.config.federation.enabled) return;
  const inbox = new URL(p.inbox);
  if (blockedHost(forge.config.federation.block, inbox.hostname)) return;
  const { privateKey } = await keyPairOf(forge, p.owner);
  const request = new Request(inbox, {
    method: "POST",
    headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
    body: p.body,
  });
  const signed = await signRequest(request, privateKey, new URL(p.keyId));
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers["user-agent"] = "Micelio/0.1 (+ActivityPub)";
  const answer = await outboundRequest(
    inbox.href,
    { method: "POST", headers, body: p.body, maxRedirects: 0, timeoutMs: 10_000, maxBytes: 64 * 1024 },
    forge.outbound,
  );
  if (answer.status >= 300) throw new Error(`${inbox.host} answered HTTP ${answer.status}`);
}

export function federationJobHandlers(forge: Forge, baseUrl: () => string): Record<string, JobHandler> {
  return {
    [PUBLISH_JOB]: async () => {
      await publishLandings(forge, baseUrl());
    },
    [DELIVER_ACTIVITY_JOB]: async (payload: DeliveryPayload) => {
      await deliverActivity(forge, payload);
    },
    [ACTOR_GONE_JOB]: async (payload: ActorGone) => {
      await actorGone(forge, baseUrl(), payload);
    },
  };
}
