// The project event stream over HTTP: events arrive as SSE (session.created, then
// session.landed and session.conflicted with increasing ids); a reconnect with Last-Event-ID
// (or ?after=) replays only later events; heartbeats are comments; private projects are 404
// to anonymous visitors and non-members; a client going away stops the server's polling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { connectSse } from "../testing/sse.ts";
import { parseCursor, STREAM_LIMITS } from "./events-api.ts";
import { watchedProjects } from "./events-api-feed.ts";
import { sessionApi } from "./session-pages-fixture.ts";

describe("project event stream (SSE)", () => {
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  let eve: Awaited<ReturnType<typeof userWithToken>>;
  const open: AbortController[] = [];

  /** Opens the stream and returns a reader of whole messages. */
  async function connect(path: string, headers: Record<string, string> = {}) {
    const stream = await connectSse(f.url + path, headers);
    open.push({ abort: stream.close } as AbortController);
    return stream;
  }

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    eve = await userWithToken(f.url, "eve");
    for (const [handle, visibility] of [
      ["live", "public"],
      ["secret", "private"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: ada.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    for (const ac of open) ac.abort();
    await f.close();
  });

  it("streams session.created, then session.landed and session.conflicted, with increasing ids", async () => {
    const s = sessionApi(f.url, ada.token, "ada", "live");
    const stream = await connect("/api/v1/projects/ada/live/events");
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.res.headers.get("cache-control")).toBe("no-store");
    expect(await stream.next()).toEqual({ retry: "3000" });

    const one = await s.open("First change");
    const created = await stream.nextEvent();
    expect(created.event).toBe("session.created");
    expect(created.json).toMatchObject({
      session: one.id,
      goal: "First change",
      author: "ada",
      base_position: 0,
    });
    expect(created.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    await s.change(one.id, { "a.txt": "a\n" });
    const two = await s.open("Second change", { base: 0 });
    await s.change(two.id, { "a.txt": "b\n" });
    expect((await s.land(one.id)).status).toBe(200);
    expect((await s.land(two.id)).status).toBe(409);

    const created2 = await stream.nextEvent();
    const landed = await stream.nextEvent();
    const conflicted = await stream.nextEvent();
    expect([created2.event, landed.event, conflicted.event]).toEqual([
      "session.created",
      "session.landed",
      "session.conflicted",
    ]);
    expect(created.id).toBeLessThan(created2.id);
    expect(created2.id).toBeLessThan(landed.id);
    expect(landed.id).toBeLessThan(conflicted.id);
    expect(landed.json).toMatchObject({ session: one.id, position: 1, goal: "First change" });
    expect(landed.json.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(conflicted.json.session).toBe(two.id);
    expect(conflicted.json.conflicts).toEqual([
      expect.objectContaining({ path: "a.txt", position: 1, session_id: one.id, goal: "First change" }),
    ]);
    stream.close();

    // Reconnecting with Last-Event-ID replays only what came later.
    const again = await connect("/api/v1/projects/ada/live/events", { "last-event-id": String(created.id) });
    const replay = [await again.nextEvent(), await again.nextEvent(), await again.nextEvent()];
    expect(replay.map((e) => e.id)).toEqual([created2.id, landed.id, conflicted.id]);
    // …then goes on live.
    const three = await s.open("Third");
    const live = await again.nextEvent();
    expect(live).toMatchObject({ event: "session.created", json: { session: three.id } });
    expect(live.id).toBeGreaterThan(conflicted.id);
    again.close();

    // ?after= works the same; Last-Event-ID wins when both are given.
    const after = await connect(`/api/v1/projects/ada/live/events?after=${landed.id}`);
    expect((await after.nextEvent()).id).toBe(conflicted.id);
    after.close();
    const both = await connect(`/api/v1/projects/ada/live/events?after=0`, {
      "last-event-id": String(landed.id),
    });
    expect((await both.nextEvent()).id).toBe(conflicted.id);
    both.close();
    const all = await connect("/api/v1/projects/ada/live/events?after=0");
    expect((await all.nextEvent()).id).toBe(created.id);
    all.close();
  });

  it("sends comment heartbeats and stops polling when clients go away", async () => {
    const saved = { ...STREAM_LIMITS };
    STREAM_LIMITS.heartbeatMs = 200;
    try {
      const stream = await connect("/api/v1/projects/ada/live/events");
      await stream.next(); // retry
      expect(await stream.next()).toEqual({ comment: "keep-alive" });
      expect(watchedProjects(f.forge.db)).toBe(1);
      stream.close();
      await expect.poll(() => watchedProjects(f.forge.db), { timeout: 5000 }).toBe(0);
    } finally {
      Object.assign(STREAM_LIMITS, saved);
    }
  });

  it("ends a stream at its maximum age so clients reconnect", async () => {
    const saved = { ...STREAM_LIMITS };
    STREAM_LIMITS.maxStreamMs = 300;
    try {
      const stream = await connect("/api/v1/projects/ada/live/events");
      await stream.next(); // retry
      await expect(stream.next()).rejects.toThrow("stream ended");
    } finally {
      Object.assign(STREAM_LIMITS, saved);
    }
  });

  it("ends a stream once its token is revoked", async () => {
    const saved = { ...STREAM_LIMITS };
    STREAM_LIMITS.heartbeatMs = 200;
    try {
      const made = await api(f.url, "POST", "/api/v1/tokens", {
        basic: [ada.handle, ada.password],
        json: { name: "stream", scopes: ["project:read"] },
      });
      expect(made.status).toBe(201);
      // A public project: only the credential, not read access, can end this stream.
      const stream = await connect("/api/v1/projects/ada/live/events", {
        authorization: `Bearer ${made.body.token}`,
      });
      expect(stream.res.status).toBe(200);
      await stream.next(); // retry
      expect(await stream.next()).toEqual({ comment: "keep-alive" }); // the token holds so far
      const revoked = await api(f.url, "DELETE", `/api/v1/tokens/${made.body.id}`, { token: ada.token });
      expect(revoked.status).toBe(204);
      await expect(
        (async () => {
          for (;;) await stream.next();
        })(),
      ).rejects.toThrow("stream ended");
    } finally {
      Object.assign(STREAM_LIMITS, saved);
    }
  });

  it("ends a stream once its account is suspended", async () => {
    const saved = { ...STREAM_LIMITS };
    STREAM_LIMITS.heartbeatMs = 200;
    try {
      const stream = await connect("/api/v1/projects/ada/live/events", {
        authorization: `Bearer ${eve.token}`,
      });
      await stream.next(); // retry
      expect(await stream.next()).toEqual({ comment: "keep-alive" });
      // ada signed up first: she is the administrator.
      const suspended = await api(f.url, "POST", "/api/v1/admin/users/eve/suspend", {
        basic: [ada.handle, ada.password],
        json: {},
      });
      expect(suspended.status).toBe(200);
      await expect(
        (async () => {
          for (;;) await stream.next();
        })(),
      ).rejects.toThrow("stream ended");
      const lifted = await api(f.url, "POST", "/api/v1/admin/users/eve/unsuspend", {
        basic: [ada.handle, ada.password],
        json: {},
      });
      expect(lifted.status).toBe(200);
    } finally {
      Object.assign(STREAM_LIMITS, saved);
    }
  });

  it("answers 404 for private projects to anonymous visitors and non-members", async () => {
    for (const headers of [{}, { authorization: `Bearer ${eve.token}` }] as Record<string, string>[]) {
      const res = await fetch(`${f.url}/api/v1/projects/ada/secret/events`, { headers });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await fetch(`${f.url}/api/v1/projects/ada/nope/events`)).status).toBe(404);
    const owner = await connect("/api/v1/projects/ada/secret/events", {
      authorization: `Bearer ${ada.token}`,
    });
    expect(owner.res.status).toBe(200);
    owner.close();
    expect((await fetch(`${f.url}/api/v1/projects/ada/live/events?after=-1`)).status).toBe(400);
  });

  it("is documented in the OpenAPI document as text/event-stream", async () => {
    const doc = (await api(f.url, "GET", "/api/openapi.json")).body;
    const op = doc.paths["/v1/projects/{owner}/{project}/events"].get;
    expect(Object.keys(op.responses["200"].content)).toEqual(["text/event-stream"]);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["owner", "project", "after", "last-event-id"]),
    );
  });

  it("reads Last-Event-ID leniently", () => {
    expect(parseCursor("42")).toBe(42);
    expect(parseCursor(" 7 ")).toBe(7);
    for (const bad of [undefined, "", "-1", "1.5", "abc", "99999999999"])
      expect(parseCursor(bad)).toBeUndefined();
  });
});
