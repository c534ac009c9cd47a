// Getting events to hooks. The fan-out job turns new rows of project_events into one delivery
// per subscribed, active hook (the project's own and its organization's) and a delivery job
// for each; its cursor (sessions/event-cursor.ts) also catches events whose transaction
// committed late, and a unique index keeps one delivery per hook and event. The delivery job signs the body,
// sends it through the outbound guard (the address is checked again), logs the answer, and on
// failure schedules the next attempt itself (backoff ×4 from MICELIO_WEBHOOK_RETRY_SECONDS);
// after MAX_ATTEMPTS it gives up, and a hook whose deliveries fail DISABLE_AFTER times in a row
// is disabled and its creator mailed.

import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import { enqueue } from "../jobs/index.ts";
import type { JobHandler } from "../jobs/types.ts";
import { enqueueMail } from "../mail/mail-jobs.ts";
import type { Logger } from "../ops/logger.ts";
import { type OutboundDeps, OutboundRefused, outboundRequest } from "../outbound/outbound-client.ts";
import { consumeEvents } from "../sessions/event-cursor.ts";
import { whenProjectEvents } from "../sessions/project-events.ts";
import { discordBody } from "./discord.ts";
import { type HookPayload, PAYLOAD_VERSION } from "./hook-events.ts";
import { SIGNATURE_HEADER, signBody } from "./signature.ts";
import { slackBody } from "./slack.ts";

export const FANOUT_JOB = "webhooks.fanout";
export const DELIVER_JOB = "webhooks.deliver";
export const MAX_ATTEMPTS = 5;
export const DISABLE_AFTER = 5;
const BATCH = 1000;
const EXCERPT = 1000;

export interface DeliverDeps {
  db: Db;
  secrets: SecretBox;
  outbound?: OutboundDeps;
  /** The forge's public URL (links in payloads). */
  baseUrl: () => string;
  /** The first retry's delay; each next one is four times longer. */
  retryMs: number;
}

/** Fans out the events since the cursor; returns how many deliveries it made. */
export async function fanOut(db: Db): Promise<number> {
  const { result, more } = await consumeEvents(db, "webhook_cursor", BATCH, async (trx, ids) => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO webhook_deliveries (id, hook_id, event_id, event, payload)
      SELECT 'd' || md5(random()::text || clock_timestamp()::text || h.id || e.id), h.id, e.id, e.type,
             jsonb_build_object(
               'version', ${PAYLOAD_VERSION}::int, 'event', e.type,
               'project', jsonb_build_object('owner', o.handle, 'name', p.handle),
               'data', e.data, 'occurred_at', e.created_at)
      FROM project_events e
      JOIN projects p ON p.id = e.project_id
      JOIN accounts o ON o.id = p.owner_id
      JOIN webhooks h ON h.active AND e.type = ANY(h.events)
        AND (h.project_id = e.project_id OR h.org_id = p.owner_id)
        AND e.created_at >= h.created_at
      WHERE e.id = ANY(${ids}::bigint[])
      ORDER BY e.id, h.id
      ON CONFLICT (hook_id, event_id) WHERE redelivery_of IS NULL DO NOTHING
      RETURNING id`.execute(trx);
    for (const r of rows) await enqueue(trx, DELIVER_JOB, { delivery: r.id });
    return rows.length;
  });
  if (more) await enqueue(db, FANOUT_JOB, {}, { uniqueKey: FANOUT_JOB });
  return result ?? 0;
}

/** Asks for a fan-out soon (one pending job at a time). */
export const requestFanOut = (db: Db) => enqueue(db, FANOUT_JOB, {}, { uniqueKey: FANOUT_JOB });

/** Asks for a fan-out whenever project events arrive (sessions/project-events.ts). */
export const watchForHookEvents = (db: Db, bus: NotifyBus, log: Logger) =>
  whenProjectEvents(
    bus,
    () => requestFanOut(db),
    (err) => log.warn({ err }, "asking for a webhook fan-out failed"),
  );

/** The body a hook's format sends for this payload. */
export function formatBody(format: string, payload: HookPayload): string {
  if (format === "slack") return JSON.stringify(slackBody(payload));
  if (format === "discord") return JSON.stringify(discordBody(payload));
  return JSON.stringify(payload);
}

/** Makes a delivery again (a new one, naming the original); returns its id. */
export async function redeliver(db: Db, hookId: string, deliveryId: string): Promise<string | null> {
  const original = await db
    .selectFrom("webhook_deliveries")
    .select(["event", "payload", "event_id"])
    .where("id", "=", deliveryId)
    .where("hook_id", "=", hookId)
    .executeTakeFirst();
  if (!original) return null;
  const id = `d${ulid().toLowerCase()}`;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("webhook_deliveries")
      .values({
        id,
        hook_id: hookId,
        event_id: original.event_id,
        event: original.event,
        payload: JSON.stringify(original.payload),
        redelivery_of: deliveryId,
      })
      .execute();
    await enqueue(trx, DELIVER_JOB, { delivery: id });
  });
  return id;
}

export function webhookJobHandlers(deps: DeliverDeps): Record<string, JobHandler> {
  return {
    [FANOUT_JOB]: async () => {
      await fanOut(deps.db);
    },
    [DELIVER_JOB]: async (payload: { delivery: string }) => {
      await deliverOnce(deps, payload.delivery);
    },
  };
}

/** One attempt of one delivery. */
export async function deliverOnce(deps: DeliverDeps, deliveryId: string) {
  const { db } = deps;
  const row = await db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhooks as h", "h.id", "d.hook_id")
    .select([
      "d.id",
      "d.event",
      "d.payload",
      "d.state",
      "d.attempts",
      "h.id as hook_id",
      "h.url",
      "h.secret",
      "h.format",
      "h.active",
    ])
    .where("d.id", "=", deliveryId)
    .executeTakeFirst();
  if (row?.state !== "pending") return;
  const attempt = row.attempts + 1;
  if (!row.active) {
    await finish(db, row.id, attempt, { state: "failed", error: "the hook is disabled" });
    return;
  }
  const stored = row.payload as Omit<HookPayload, "delivery" | "timestamp"> & { occurred_at?: string };
  const base = deps.baseUrl().replace(/\/$/, "");
  const payload: HookPayload = {
    version: stored.version,
    delivery: row.id,
    event: stored.event,
    timestamp: new Date().toISOString(),
    ...(stored.project
      ? { project: { ...stored.project, url: `${base}/${stored.project.owner}/${stored.project.name}` } }
      : {
          organization: {
            name: stored.organization?.name ?? "",
            url: `${base}/${stored.organization?.name ?? ""}`,
          },
        }),
    data: stored.data,
  };
  const body = formatBody(row.format, payload);
  const secret = deps.secrets.open(row.secret);
  const started = performance.now();
  let outcome: { status?: number; excerpt?: string; error?: string };
  try {
    const answer = await outboundRequest(
      row.url,
      {
        method: "POST",
        body,
        maxRedirects: 0,
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
        headers: {
          "content-type": "application/json",
          "user-agent": "Micelio-Hookshot/1",
          "x-micelio-event": payload.event,
          "x-micelio-delivery": row.id,
          "x-micelio-timestamp": String(Math.floor(Date.parse(payload.timestamp) / 1000)),
          [SIGNATURE_HEADER]: signBody(secret, body),
        },
      },
      deps.outbound,
    );
    outcome = { status: answer.status, excerpt: answer.body.toString("utf8").slice(0, EXCERPT) };
  } catch (err) {
    outcome = { error: err instanceof OutboundRefused ? `${err.reason}: ${err.message}` : String(err) };
  }
  const durationMs = Math.round(performance.now() - started);
  const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
  const last = attempt >= MAX_ATTEMPTS;
  await finish(db, row.id, attempt, {
    state: ok ? "delivered" : last ? "failed" : "pending",
    status: outcome.status ?? null,
    excerpt: outcome.excerpt ?? null,
    error: ok ? null : (outcome.error ?? `answered ${outcome.status}`),
    durationMs,
  });
  if (ok) {
    await db.updateTable("webhooks").set({ failures_in_row: 0 }).where("id", "=", row.hook_id).execute();
  } else if (!last) {
    await enqueue(db, DELIVER_JOB, { delivery: row.id }, { delayMs: deps.retryMs * 4 ** (attempt - 1) });
  } else {
    await countFailure(deps, row.hook_id);
  }
}

async function finish(
  db: Db,
  id: string,
  attempts: number,
  r: {
    state: "pending" | "delivered" | "failed";
    status?: number | null;
    excerpt?: string | null;
    error?: string | null;
    durationMs?: number;
  },
) {
  await db
    .updateTable("webhook_deliveries")
    .set({
      state: r.state,
      attempts,
      status: r.status ?? null,
      response_excerpt: r.excerpt ?? null,
      error: r.error ?? null,
      duration_ms: r.durationMs ?? null,
      finished_at: r.state === "pending" ? null : new Date(),
    })
    .where("id", "=", id)
    .execute();
}

/** A delivery gave up: count it, and disable the hook (telling its creator) past the limit. */
async function countFailure(deps: DeliverDeps, hookId: string) {
  const hook = await deps.db
    .updateTable("webhooks")
    .set((eb) => ({ failures_in_row: eb("failures_in_row", "+", 1) }))
    .where("id", "=", hookId)
    .returning(["failures_in_row", "active", "url", "created_by", "project_id", "org_id"])
    .executeTakeFirst();
  if (!hook?.active || hook.failures_in_row < DISABLE_AFTER) return;
  const reason = `${hook.failures_in_row} deliveries in a row failed after ${MAX_ATTEMPTS} attempts each`;
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("webhooks")
      .set({ active: false, disabled_reason: reason, updated_at: new Date() })
      .where("id", "=", hookId)
      .execute();
    await trx
      .insertInto("audit_log")
      .values({
        actor_id: null,
        actor: "",
        action: "webhook.disable",
        target_type: "webhook",
        target_id: hookId,
        target: hook.url,
        project_id: hook.project_id,
        data: JSON.stringify({ reason }),
      })
      .execute();
    const creator = hook.created_by
      ? await trx
          .selectFrom("accounts")
          .select(["handle", "email"])
          .where("handle", "=", hook.created_by)
          .executeTakeFirst()
      : undefined;
    const where = hook.project_id
      ? await trx
          .selectFrom("projects")
          .innerJoin("accounts", "accounts.id", "projects.owner_id")
          .select(sql<string>`accounts.handle || '/' || projects.handle`.as("path"))
          .where("projects.id", "=", hook.project_id)
          .executeTakeFirst()
      : await trx
          .selectFrom("accounts")
          .select("handle as path")
          .where("id", "=", hook.org_id!)
          .executeTakeFirst();
    if (creator?.email && where)
      await enqueueMail(trx, creator.email, "webhook_disabled", {
        handle: creator.handle,
        url: hook.url,
        target: where.path,
        reason,
        settings: hook.project_id ? `/${where.path}/settings/hooks` : `/orgs/${where.path}/hooks`,
      });
  });
}
