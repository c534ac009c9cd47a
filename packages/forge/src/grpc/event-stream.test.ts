// StreamEvents followers wake on the bus, not on the poll: with the fallback poll and the
// heartbeat pushed out of reach, an event appended through REST, an abandon and a landing
// still reach a client following over gRPC, and each stream ends once its session closes.
// Were the bus not heard, these streams would wait for the poll and the tests time out.
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { STREAM_LIMITS } from "./event-stream.ts";
import {
  SessionService,
  SessionStatus,
  type StreamEventsResponse,
} from "./gen/micelio/sessions/v1/sessions_pb.ts";

const FOREVER = 60 * 60_000;
const WITHIN = 30_000; // the test's own bound: a follower that hears nothing fails by then
const saved = { ...STREAM_LIMITS };
const project = { owner: "ada", project: "app" };
let f: TestForge;
let token: string;
let client: Client<typeof SessionService>;
const auth = () => ({ headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  // The forge runs in this process (testing/forge.ts): its streams read these limits.
  Object.assign(STREAM_LIMITS, { pollMs: FOREVER, heartbeatMs: FOREVER });
  f = await startTestForge();
  token = (await userWithToken(f.url, "ada")).token;
  const r = await api(f.url, "POST", "/api/v1/projects", {
    token,
    json: { handle: "app", visibility: "public" },
  });
  expect(r.status).toBe(201);
  client = createClient(SessionService, createGrpcTransport({ baseUrl: f.url }));
});
afterAll(async () => {
  Object.assign(STREAM_LIMITS, saved);
  await f?.close();
});

/** Follows the session, calling `step` with each item; resolves with every item once the stream ends. */
async function follow(id: string, step: (item: StreamEventsResponse["item"], n: number) => Promise<void>) {
  const seen: StreamEventsResponse["item"][] = [];
  for await (const m of client.streamEvents({ project, sessionId: id, follow: true })) {
    seen.push(m.item);
    await step(m.item, seen.length);
  }
  return seen;
}

it(
  "delivers an event appended through REST, then the abandon, to a gRPC follower",
  async () => {
    const { session } = await client.createSession({ project, goal: "Stream me" }, auth());
    const id = session!.id;
    const path = `/api/v1/projects/ada/app/sessions/${id}`;
    const seen = await follow(id, async (item, n) => {
      if (n === 1) {
        expect(item.case).toBe("session");
        const r = await api(f.url, "POST", `${path}/events`, {
          token,
          json: { events: [{ kind: "output", text: "working" }] },
        });
        expect(r.status).toBe(201);
      }
      if (n === 2) expect((await api(f.url, "POST", `${path}/abandon`, { token })).status).toBe(200);
    });
    expect(seen.map((i) => i.case)).toEqual(["session", "event", "session"]);
    expect(seen[1].value).toMatchObject({ seq: 1, kind: "output", data: { text: "working" } });
    expect(seen[2].value).toMatchObject({ status: SessionStatus.ABANDONED });
  },
  WITHIN,
);

it(
  "ends a follower's stream when its session lands",
  async () => {
    const { session } = await client.createSession({ project, goal: "Land me" }, auth());
    const id = session!.id;
    const content = new TextEncoder().encode("hello\n");
    await client.putChanges(
      { project, sessionId: id, changes: [{ path: "a.txt", change: { case: "content", value: content } }] },
      auth(),
    );
    const seen = await follow(id, async (_item, n) => {
      if (n === 1) await client.landSession({ project, sessionId: id }, auth());
    });
    expect(seen.map((i) => i.case)).toEqual(["session", "session"]);
    expect(seen[1].value).toMatchObject({ status: SessionStatus.LANDED });
  },
  WITHIN,
);
