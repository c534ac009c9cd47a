// Optional forwarding to Sentry (SENTRY_DSN, off by default): each captured occurrence becomes a
// Sentry event in an envelope POSTed to the DSN's project, through the outbound guard. The
// context is already scrubbed; nothing else of the request is sent.
import { randomBytes } from "node:crypto";
import { type OutboundDeps, outboundRequest } from "../outbound/outbound-client.ts";
import type { Occurrence } from "./error-store.ts";

export interface SentryTarget {
  url: string;
  key: string;
  dsn: string;
}

/** `https://KEY@HOST/PROJECT` → the envelope URL and key; throws on anything else. */
export function parseDsn(dsn: string): SentryTarget {
  const u = new URL(dsn);
  const project = u.pathname.replace(/^\/+|\/+$/g, "");
  if (!/^https?:$/.test(u.protocol) || !u.username || !/^\d+$/.test(project.split("/").at(-1) ?? ""))
    throw new Error("SENTRY_DSN must look like https://KEY@HOST/PROJECT_ID");
  const prefix = project.split("/").slice(0, -1).join("/");
  return {
    url: `${u.protocol}//${u.host}/${prefix ? `${prefix}/` : ""}api/${project.split("/").at(-1)}/envelope/`,
    key: decodeURIComponent(u.username),
    dsn,
  };
}

export function sentryEnvelope(o: Occurrence, dsn: string, now = new Date()) {
  const eventId = randomBytes(16).toString("hex");
  const event = {
    event_id: eventId,
    timestamp: now.toISOString(),
    platform: "node",
    level: o.severity,
    logger: "micelio",
    tags: { kind: o.kind },
    exception: {
      values: [
        { type: o.name, value: o.message, ...(o.stack ? { stacktrace: { frames: frames(o.stack) } } : {}) },
      ],
    },
    extra: o.context ?? {},
  };
  const body = [
    JSON.stringify({ event_id: eventId, sent_at: now.toISOString(), dsn }),
    JSON.stringify({ type: "event" }),
    JSON.stringify(event),
  ].join("\n");
  return { eventId, body };
}

/** Sentry wants the innermost frame last. */
function frames(stack: string) {
  return stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 30)
    .map((l) => {
      const m = /at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(l.trim());
      return m
        ? { function: m[1] ?? "?", filename: m[2], lineno: Number(m[3]), colno: Number(m[4]) }
        : { function: l.trim() };
    })
    .reverse();
}

export async function sendToSentry(target: SentryTarget, o: Occurrence, outbound?: OutboundDeps) {
  const { body } = sentryEnvelope(o, target.dsn);
  const answer = await outboundRequest(
    target.url,
    {
      method: "POST",
      body,
      timeoutMs: 5000,
      maxBytes: 16 * 1024,
      maxRedirects: 0,
      headers: {
        "content-type": "application/x-sentry-envelope",
        "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${target.key}, sentry_client=micelio/1`,
      },
    },
    outbound,
  );
  if (answer.status >= 300) throw new Error(`Sentry answered ${answer.status}`);
}
