// StreamEvents: the session follower (sessions/session-follow.ts) as the gRPC service's
// messages: the session (first, and at each change of status) and its events.
import type { Viewer } from "../accounts/viewer.ts";
import type { Forge } from "../http/context.ts";
import { followSession } from "../sessions/session-follow.ts";
import type { StreamEventsResponse } from "./gen/micelio/sessions/v1/sessions_pb.ts";
import { eventMessage, sessionMessage } from "./session-messages.ts";

export { STREAM_LIMITS } from "../sessions/session-follow.ts";

type Item = Pick<StreamEventsResponse, "item">;

export async function* sessionEventStream(
  forge: Forge,
  viewer: Viewer,
  ref: { owner: string; project: string; id: string },
  opts: { afterSeq: number; follow: boolean; signal: AbortSignal },
): AsyncGenerator<Item> {
  for await (const x of followSession(forge, viewer, ref, opts))
    yield x.kind === "session"
      ? { item: { case: "session", value: sessionMessage(x.session) } }
      : { item: { case: "event", value: eventMessage(x.event) } };
}
