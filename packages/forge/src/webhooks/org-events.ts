// An organization's own events for its hooks (`member`: someone joined, changed role or left).
// They have no project, so they skip the project stream: one delivery per subscribed, active
// organization hook is written in the caller's transaction and delivered like any other.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { enqueue } from "../jobs/index.ts";
import { DELIVER_JOB } from "./deliver.ts";
import { PAYLOAD_VERSION } from "./hook-events.ts";

export async function recordOrgHookEvent(
  db: Db,
  org: { id: string; handle: string },
  event: "member",
  data: Record<string, unknown>,
) {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO webhook_deliveries (id, hook_id, event, payload)
    SELECT 'd' || md5(random()::text || clock_timestamp()::text || h.id), h.id, ${event},
           jsonb_build_object('version', ${PAYLOAD_VERSION}::int, 'event', ${event}::text,
             'organization', jsonb_build_object('name', ${org.handle}::text), 'data', ${JSON.stringify(data)}::jsonb)
    FROM webhooks h WHERE h.org_id = ${org.id} AND h.active AND ${event} = ANY(h.events)
    RETURNING id`.execute(db);
  for (const r of rows) await enqueue(db, DELIVER_JOB, { delivery: r.id });
}
