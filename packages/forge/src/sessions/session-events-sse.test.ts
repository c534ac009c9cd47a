// A session's conversation live over SSE: the session first, the events so far and then new
// ones in order with their seq as id, a filter by kind, resumption with Last-Event-ID, the
// session's new status when it closes (then the stream ends), and a private project's
// session hidden from a non-member.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { connectSse } from "../testing/sse.ts";

describe("session events as Server-Sent Events", () => {
  let f: TestForge;
  let token: string;
  const base = "/api/v1/projects/live/app/sessions";
  const events = (id: string, list: unknown[]) =>
    api(f.url, "POST", `${base}/${id}/events`, { token, json: { events: list } });

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "live")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    await api(f.url, "POST", "/api/v1/projects", {
      token,
      json: { handle: "hidden", visibility: "private" },
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it("streams the conversation as it grows, resumes, filters, and ends when the session closes", async () => {
    const s = (await api(f.url, "POST", `${base}`, { token, json: { goal: "Stream it" } })).body;
    await events(s.id, [
      { kind: "status", status: "starting" },
      { kind: "output", text: "hello\n" },
    ]);
    const stream = await connectSse(`${f.url}${base}/${s.id}/events`);
    expect(stream.res.headers.get("content-type")).toContain("text/event-stream");
    const first = await stream.nextEvent();
    expect(first).toMatchObject({ event: "session", json: { id: s.id, status: "open" } });
    expect(await stream.nextEvent()).toMatchObject({ id: 1, event: "status" });
    expect(await stream.nextEvent()).toMatchObject({ id: 2, event: "output", json: { text: "hello\n" } });
    await events(
      s.id,
      Array.from({ length: 50 }, (_, i) => ({
        kind: "progress",
        text: `step ${i + 1}`,
        done: i + 1,
        total: 50,
      })),
    );
    for (let i = 1; i <= 50; i++)
      expect(await stream.nextEvent()).toMatchObject({ id: 2 + i, event: "progress", json: { done: i } });
    stream.close();

    const resumed = await connectSse(`${f.url}${base}/${s.id}/events?kinds=output,error`, {
      "last-event-id": "40",
    });
    await resumed.nextEvent(); // the session
    await events(s.id, [
      { kind: "progress", text: "last", done: 1, total: 1 },
      { kind: "error", text: "boom" },
    ]);
    expect(await resumed.nextEvent()).toMatchObject({ id: 54, event: "error", json: { text: "boom" } });
    expect((await api(f.url, "POST", `${base}/${s.id}/abandon`, { token })).status).toBe(200);
    expect(await resumed.nextEvent()).toMatchObject({ event: "session", json: { status: "abandoned" } });
    expect(await resumed.ended()).toBe(true);

    const json = await api(f.url, "GET", `${base}/${s.id}/events?after=52`, { token });
    expect(json.body.map((e: { seq: number }) => e.seq)).toEqual([53, 54]);
  });

  it("hides a private project's session from whoever cannot read it", async () => {
    const s = (
      await api(f.url, "POST", "/api/v1/projects/live/hidden/sessions", { token, json: { goal: "Secret" } })
    ).body;
    const anon = await fetch(`${f.url}/api/v1/projects/live/hidden/sessions/${s.id}/events`, {
      headers: { accept: "text/event-stream" },
    });
    expect(anon.status).toBe(404);
    expect(anon.headers.get("content-type")).toContain("problem+json");
    const owner = await connectSse(`${f.url}/api/v1/projects/live/hidden/sessions/${s.id}/events`, {
      authorization: `Bearer ${token}`,
    });
    expect(await owner.nextEvent()).toMatchObject({ event: "session", json: { goal: "Secret" } });
    owner.close();
  });
});
