// A session's conversation as Server-Sent Events (GET …/sessions/{id}/events with
// `Accept: text/event-stream`): the events after Last-Event-ID (or ?after=) as they arrive —
// `id` is the event's sequence number, `event` its kind, `data` the event as JSON — and an
// `event: session` message (the session as JSON, no id) first and at each change of status.
// `?kinds=progress,output` keeps only those kinds (the ids still advance, so a resumed stream
// never replays what was filtered out). The stream ends when the session closes, after
// STREAM_LIMITS.maxStreamMs, or when the viewer loses access (session-follow.ts).
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { AppEnv } from "../http/context.ts";
import { parseCursor } from "./events-api.ts";
import { followSession } from "./session-follow.ts";
import { sessionJson } from "./sessions-service.ts";

export const wantsEventStream = (c: Context<AppEnv>) =>
  (c.req.header("accept") ?? "").includes("text/event-stream");

/** `kinds=a,b`: the kinds to keep (null: all), at most 20 names. */
export function parseKinds(value: string | undefined): Set<string> | null {
  if (!value) return null;
  const kinds = value
    .split(",")
    .map((k) => k.trim())
    .filter((k) => /^[a-z_]{1,32}$/.test(k))
    .slice(0, 20);
  return kinds.length ? new Set(kinds) : null;
}

export function sessionEventsSse(
  c: Context<AppEnv>,
  ref: { owner: string; project: string; id: string },
  after: number | undefined,
  kinds: Set<string> | null,
) {
  const forge = c.get("forge");
  const viewer = c.get("viewer");
  const afterSeq = parseCursor(c.req.header("last-event-id")) ?? after ?? 0;
  const signal = c.req.raw.signal;
  const log = forge.log;
  const res = streamSSE(c, async (stream) => {
    try {
      await pump(stream);
    } catch (err) {
      // A client gone or a forge shutting down ends the stream; anything else is logged.
      if (!signal.aborted && !stream.aborted) log.warn({ err }, "session event stream failed");
    }
  });
  async function pump(stream: SSEStreamingApi) {
    for await (const x of followSession(forge, viewer, ref, { afterSeq, follow: true, signal })) {
      if (stream.aborted) break;
      if (x.kind === "session")
        await stream.writeSSE({ event: "session", data: JSON.stringify(sessionJson(x.session)) });
      else {
        const kind = String((x.event as { kind?: unknown }).kind ?? "");
        if (!kinds || kinds.has(kind))
          await stream.writeSSE({ id: String(x.event.seq), event: kind, data: JSON.stringify(x.event) });
      }
    }
  }
  res.headers.set("Cache-Control", "no-store");
  res.headers.set("X-Accel-Buffering", "no");
  return res;
}
