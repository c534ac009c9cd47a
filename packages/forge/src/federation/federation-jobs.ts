// Federation's jobs. The publish job keeps a cursor over project_events (like webhooks/deliver.ts,
// with a look-back) and turns each landing and each pushed tag (a release) of a public project
// whose owner is not suspended into a Create of a Note (outbox.ts) for each remote follower of
// the project. The actor-gone job tells followers a project or account went away (actor-lifecycle.ts). The delivery job signs an activity
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
import { whenProjectEvents } from "../sessions/project-events.ts";
import { ACTOR_GONE_JOB, type ActorGone } from "./actor-gone.ts";
import { actorGone } from "./actor-lifecycle.ts";
import { blockedHost, DELIVER_ACTIVITY_JOB, enqueueDelivery, federationOf, keyPairOf } from "./federation.ts";
import { eventCreate } from "./outbox.ts";

export const PUBLISH_JOB = "federation.publish";
const LOOKBACK = 2000;
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
  let made = 0;
  let more = false;
  await db.transaction().execute(async (trx) => {
    const cursor = await sql<{ event_id: number }>`
      SELECT event_id FROM federation_cursor WHERE id = 1 FOR UPDATE`.execute(trx);
    const from = Number(cursor.rows[0]?.event_id ?? 0);
    const top = await sql<{ max: number | null }>`SELECT max(id) AS max FROM project_events`.execute(trx);
    const max = Number(top.rows[0]?.max ?? from);
    const upto = Math.min(max, from + BATCH);
    more = max > upto;
    if (forge.config.federation.enabled) {
      // The look-back catches events committed late; the job-unique key keeps one delivery each.
      const events = await sql<Published>`
        SELECT e.id, e.type, e.project_id, e.data, o.handle AS owner, p.handle
        FROM project_events e JOIN projects p ON p.id = e.project_id JOIN accounts o ON o.id = p.owner_id
        WHERE e.id > ${Math.max(0, from - LOOKBACK)} AND e.id <= ${upto} AND e.type IN ('session.landed', 'tag')
          AND p.visibility = 'public' AND o.suspended_at IS NULL
        ORDER BY e.id`.execute(trx);
      for (const e of events.rows) {
        const followers = await trx
          .selectFrom("federation_followers")
          .select(["actor_uri", "inbox_url"])
          .where("local_id", "=", e.project_id)
          .execute();
        if (followers.length === 0) continue;
        const identifier = `${e.owner}.${e.handle}`;
        const create = eventCreate(ctx, e);
        if (!create) continue;
        const inboxes = new Set(followers.map((f) => f.inbox_url));
        for (const inbox of inboxes) {
          const uniqueKey = `federation:${e.id}:${inbox}`;
          const already = await trx
            .selectFrom("jobs")
            .select("id")
            .where("unique_key", "=", uniqueKey)
            .executeTakeFirst();
          if (already) continue;
          await enqueueDelivery(ctx, { id: e.project_id, identifier }, new URL(inbox), create, {
            db: trx,
            uniqueKey,
          });
          made++;
        }
      }
    }
    if (upto > from) await sql`UPDATE federation_cursor SET event_id = ${upto} WHERE id = 1`.execute(trx);
  });
  if (more) await enqueue(db, PUBLISH_JOB, {}, { uniqueKey: PUBLISH_JOB });
  return made;
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
