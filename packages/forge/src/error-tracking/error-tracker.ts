// Captures the forge's errors into error_groups: from error-level logs (the request handler's
// "unhandled error", the last-resort handler, anything logged at error or fatal) through a
// wrapper around the logger, and from job failures through the worker's hook. Capturing never
// throws and never blocks the caller; at most MAX_PER_MINUTE occurrences a minute per process
// are stored (the rest are counted and reported in a log line). New errors, errors back after
// being resolved, and spikes mail the administrators (at most once an hour per error, and
// MAX_MAILS_PER_HOUR in all), and POST to MICELIO_ERROR_WEBHOOK (signed as project webhooks are when
// MICELIO_ERROR_WEBHOOK_SECRET is set); SENTRY_DSN forwards each stored occurrence to Sentry.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/db.ts";
import { enqueueMail } from "../mail/mail-jobs.ts";
import type { Logger } from "../ops/logger.ts";
import { type OutboundDeps, outboundRequest } from "../outbound/outbound-client.ts";
import { SIGNATURE_HEADER, signBody } from "../webhooks/signature.ts";
import {
  type ErrorKindName,
  markNotified,
  type Occurrence,
  type Recorded,
  recordOccurrence,
} from "./error-store.ts";
import { parseDsn, type SentryTarget, sendToSentry } from "./sentry.ts";

export const MAX_PER_MINUTE = 600;
export const SPIKE_THRESHOLD = 50;
export const MAX_MAILS_PER_HOUR = 10;

export interface TrackerDeps {
  db: Db;
  /** The unwrapped logger: the tracker's own troubles are warnings, never captured. */
  log: Logger;
  sentryDsn?: string;
  /** Error alerts are also POSTed here as JSON (through the outbound guard). */
  errorWebhook?: string;
  /** Signs those bodies as project webhooks are signed (webhooks/signature.ts). */
  errorWebhookSecret?: string;
  /** The forge's public URL, for links in alerts. */
  baseUrl?: () => string;
  outbound?: OutboundDeps;
}

export class ErrorTracker {
  private deps: TrackerDeps | undefined;
  private sentry: SentryTarget | undefined;
  private minute = { start: 0, n: 0, dropped: 0 };
  private mails = { start: 0, n: 0 };
  private readonly pending = new Set<Promise<unknown>>();

  /** Starts storing (before this, occurrences are dropped: the database is not open yet). */
  attach(deps: TrackerDeps) {
    this.deps = deps;
    this.sentry = deps.sentryDsn ? parseDsn(deps.sentryDsn) : undefined;
  }

  detach() {
    this.deps = undefined;
  }

  capture(o: Occurrence): void {
    const deps = this.deps;
    if (!deps) return;
    const now = Date.now();
    if (now - this.minute.start >= 60_000) {
      if (this.minute.dropped)
        deps.log.warn({ dropped: this.minute.dropped }, "errors over the capture limit were not stored");
      this.minute = { start: now, n: 0, dropped: 0 };
    }
    if (++this.minute.n > MAX_PER_MINUTE) {
      this.minute.dropped++;
      return;
    }
    const work = this.store(deps, o).catch((err) => deps.log.warn({ err }, "storing an error failed"));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once everything captured so far is stored (tests, shutdown). */
  async idle() {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async store(deps: TrackerDeps, o: Occurrence) {
    const rec = await recordOccurrence(deps.db, o);
    if (this.sentry)
      await sendToSentry(this.sentry, o, deps.outbound).catch((err) =>
        deps.log.warn({ err: String(err) }, "forwarding an error to Sentry failed"),
      );
    const why = alertReason(rec);
    if (why) await this.alert(deps, rec, o, why);
  }

  private async alert(deps: TrackerDeps, rec: Recorded, o: Occurrence, why: AlertReason) {
    const now = Date.now();
    if (now - this.mails.start >= 3_600_000) this.mails = { start: now, n: 0 };
    if (this.mails.n >= MAX_MAILS_PER_HOUR) return;
    this.mails.n++;
    if (deps.errorWebhook) {
      const sent = Math.floor(now / 1000);
      const delivery = `e${randomUUID()}`;
      const body = JSON.stringify({
        event: `error.${why}`,
        delivery,
        timestamp: new Date(sent * 1000).toISOString(),
        id: rec.id,
        kind: o.kind,
        name: o.name,
        message: o.message.slice(0, 1000),
        count: rec.count,
        window_count: rec.windowCount,
        url: `${deps.baseUrl?.() ?? ""}/admin/errors/${rec.id}`,
      });
      await outboundRequest(
        deps.errorWebhook,
        {
          method: "POST",
          timeoutMs: 5000,
          maxBytes: 16 * 1024,
          maxRedirects: 0,
          headers: {
            "content-type": "application/json",
            "user-agent": "Micelio-Hookshot/1",
            "x-micelio-event": `error.${why}`,
            "x-micelio-delivery": delivery,
            "x-micelio-timestamp": String(sent),
            ...(deps.errorWebhookSecret
              ? { [SIGNATURE_HEADER]: signBody(deps.errorWebhookSecret, body) }
              : {}),
          },
          body,
        },
        deps.outbound,
      ).catch((err) => deps.log.warn({ err: String(err) }, "the error webhook failed"));
    }
    const admins = await deps.db
      .selectFrom("accounts")
      .select(["handle", "email"])
      .where("is_admin", "=", true)
      .where("email", "is not", null)
      .where("suspended_at", "is", null)
      .execute();
    for (const a of admins)
      await enqueueMail(deps.db, a.email!, "error_alert", {
        handle: a.handle,
        why,
        kind: o.kind,
        message: `${o.name}: ${o.message}`.slice(0, 300),
        count: rec.count,
        window: rec.windowCount,
        id: rec.id,
      });
    await markNotified(deps.db, rec.id);
  }
}

export type AlertReason = "new" | "regression" | "spike";

/** Whether this occurrence calls for a mail: new, back after being resolved, or a spike. */
export function alertReason(rec: Recorded, now = Date.now()): AlertReason | null {
  if (rec.status === "muted") return null;
  const quiet = !rec.notifiedAt || now - rec.notifiedAt.getTime() >= 3_600_000;
  if (rec.isNew) return "new";
  if (!quiet) return null;
  if (rec.reopened) return "regression";
  if (rec.windowCount === SPIKE_THRESHOLD) return "spike";
  return null;
}

/** An occurrence from something thrown (or logged), with its context. */
export function occurrenceOf(
  err: unknown,
  kind: ErrorKindName,
  context: Record<string, unknown> = {},
  fallback = "error",
  severity: "error" | "fatal" = "error",
): Occurrence {
  if (err instanceof Error)
    return {
      kind,
      severity,
      name: err.name || "Error",
      message: err.message || fallback,
      stack: err.stack ?? null,
      context,
    };
  return {
    kind,
    severity,
    name: "LoggedError",
    message: typeof err === "string" ? err : fallback,
    stack: null,
    context,
  };
}

const LEVELS = new Set(["error", "fatal"]);

/**
 * The logger, with error and fatal calls also captured (child loggers too, their bindings as
 * context). Log lines carrying `tracked: true` were captured at their source and are skipped.
 */
export function trackLogger(log: Logger, tracker: ErrorTracker): Logger {
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === "child")
        return (...args: Parameters<Logger["child"]>) =>
          trackLogger(target.child(...args) as unknown as Logger, tracker);
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string" || !LEVELS.has(prop) || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        try {
          captureLogCall(target, prop as "error" | "fatal", args, tracker);
        } catch {
          /* capturing must never break logging */
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function captureLogCall(target: Logger, level: "error" | "fatal", args: unknown[], tracker: ErrorTracker) {
  const [first, second] = args;
  let err: unknown;
  let fields: Record<string, unknown> = {};
  let msg = typeof second === "string" ? second : undefined;
  if (first instanceof Error) err = first;
  else if (first && typeof first === "object") {
    const { err: e, ...rest } = first as Record<string, unknown>;
    err = e;
    fields = rest;
  } else if (typeof first === "string") msg = first;
  if (fields.tracked === true) return;
  const context = { ...target.bindings(), ...fields, ...(msg ? { log: msg } : {}) };
  const kind: ErrorKindName = "requestId" in context ? "request" : "job" in context ? "job" : "log";
  tracker.capture(occurrenceOf(err ?? msg ?? "error", kind, context, msg, level));
}
