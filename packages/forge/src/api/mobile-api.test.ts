// The mobile API: conditional GET on JSON reads (a strong ETag over the body, 304 on
// If-None-Match, never confirming to one account what another reads) and the `since=` deltas
// of the home feed, the notifications, a project's sessions and a session's events.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { etagOf, noneMatch } from "./conditional-get.ts";

describe("If-None-Match", () => {
  it("matches a list naming the tag (weak or strong), or *, and nothing else", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.uint8Array({ maxLength: 64 })),
        (body, others) => {
          const tag = etagOf(body);
          const list = others.map(etagOf);
          expect(noneMatch(list.join(", "), tag)).toBe(list.includes(tag));
          expect(noneMatch([...list, `W/${tag}`].join(","), tag)).toBe(true);
          expect(noneMatch("*", tag)).toBe(true);
          expect(noneMatch(undefined, tag)).toBe(false);
        },
      ),
    );
  });
});

describe("mobile API", () => {
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  let bob: Awaited<ReturnType<typeof userWithToken>>;
  const as = (tok: string, method: string, path: string, json?: unknown, headers?: Record<string, string>) =>
    api(f.url, method, path, { token: tok, json, headers });

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    bob = await userWithToken(f.url, "bob");
    for (const [handle, visibility] of [
      ["secret", "private"],
      ["open", "public"],
    ])
      expect((await as(ada.token, "POST", "/api/v1/projects", { handle, visibility })).status).toBe(201);
  });
  afterAll(() => f?.close());

  it("answers 304 with no body while the JSON is unchanged, and 200 once it changes", async () => {
    const first = await as(ada.token, "GET", "/api/v1/projects/ada/secret");
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get("vary")).toMatch(/Authorization/);
    expect(first.headers.get("vary")).toMatch(/Cookie/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    const again = await as(ada.token, "GET", "/api/v1/projects/ada/secret", undefined, {
      "if-none-match": etag,
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    expect(again.headers.get("etag")).toBe(etag);
    const other = await as(ada.token, "GET", "/api/v1/projects/ada/secret", undefined, {
      "if-none-match": '"something-else"',
    });
    expect(other.status).toBe(200);
    expect((await as(ada.token, "PATCH", "/api/v1/projects/ada/secret", { description: "new" })).status).toBe(
      200,
    );
    const changed = await as(ada.token, "GET", "/api/v1/projects/ada/secret", undefined, {
      "if-none-match": etag,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.description).toBe("new");
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("never confirms to another account what it may not read", async () => {
    const mine = await as(ada.token, "GET", "/api/v1/projects/ada/secret");
    const etag = mine.headers.get("etag")!;
    const theirs = await as(bob.token, "GET", "/api/v1/projects/ada/secret", undefined, {
      "if-none-match": etag,
    });
    expect(theirs.status).toBe(404);
    const anon = await api(f.url, "GET", "/api/v1/projects/ada/secret", {
      headers: { "if-none-match": etag },
    });
    expect(anon.status).toBe(404);
    // A public project: each gets the tag of their own answer (ada's carries her permissions).
    const adaOpen = await as(ada.token, "GET", "/api/v1/projects/ada/open");
    const bobOpen = await as(bob.token, "GET", "/api/v1/projects/ada/open", undefined, {
      "if-none-match": adaOpen.headers.get("etag")!,
    });
    expect(bobOpen.status).toBe(200);
    expect(bobOpen.headers.get("etag")).toBe(etagOf(new TextEncoder().encode(JSON.stringify(bobOpen.body))));
  });

  it("gives a project's sessions and a session's events since a point", async () => {
    const one = await as(ada.token, "POST", "/api/v1/projects/ada/secret/sessions", { goal: "one" });
    const two = await as(ada.token, "POST", "/api/v1/projects/ada/secret/sessions", { goal: "two" });
    const all = await as(ada.token, "GET", "/api/v1/projects/ada/secret/sessions");
    expect(all.body.map((s: { id: string }) => s.id)).toEqual([two.body.id, one.body.id]);
    const mark = all.body[0].updated_at as string;
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond for the change below
    const path = `/api/v1/projects/ada/secret/sessions/${one.body.id}/events`;
    const events = [{ kind: "decision", text: "first" }];
    expect((await as(ada.token, "POST", path, { events })).status).toBe(201);
    const delta = await as(
      ada.token,
      "GET",
      `/api/v1/projects/ada/secret/sessions?since=${encodeURIComponent(mark)}`,
    );
    expect(delta.status).toBe(200);
    // The session that changed, and the one whose last change is the mark itself (inclusive).
    expect(delta.body.map((s: { id: string }) => s.id).sort()).toEqual([one.body.id, two.body.id].sort());
    const newest = Math.max(...delta.body.map((s: { updated_at: string }) => Date.parse(s.updated_at)));
    const later = new Date(newest + 1).toISOString();
    const none = await as(
      ada.token,
      "GET",
      `/api/v1/projects/ada/secret/sessions?since=${encodeURIComponent(later)}`,
    );
    expect(none.body).toEqual([]);
    expect((await as(ada.token, "GET", "/api/v1/projects/ada/secret/sessions?since=yesterday")).status).toBe(
      400,
    );

    const held = await as(ada.token, "GET", path);
    const lastSeq = held.body.at(-1).seq as number;
    expect(
      (await as(ada.token, "POST", path, { events: [{ kind: "decision", text: "second" }] })).status,
    ).toBe(201);
    const newer = await as(ada.token, "GET", `${path}?since=${lastSeq}`);
    expect(newer.body.map((e: { text?: string }) => e.text)).toEqual(["second"]);
  });

  it("gives notifications since an id, and the home feed since a time", async () => {
    const project = await f.forge.db
      .selectFrom("projects")
      .select("id")
      .where("handle", "=", "open")
      .executeTakeFirstOrThrow();
    const notify = (title: string) =>
      f.forge.db
        .insertInto("notifications")
        .values({
          user_id: bob.user.id,
          project_id: project.id,
          event_id: null,
          kind: "session.opened",
          reason: "watching",
          title,
          url: "/ada/open",
          actor: "ada",
        })
        .execute();
    await notify("old");
    const inbox = await as(bob.token, "GET", "/api/v1/notifications");
    const newest = inbox.body.items[0].id as number;
    await notify("new");
    const delta = await as(bob.token, "GET", `/api/v1/notifications?since=${newest}`);
    expect(delta.body.items.map((n: { title: string }) => n.title)).toEqual(["new"]);
    expect(delta.body.unread).toBe(2);

    expect((await as(bob.token, "PUT", "/api/v1/user/following/ada")).status).toBe(204);
    expect((await as(ada.token, "POST", "/api/v1/projects", { handle: "first-public" })).status).toBe(201);
    const feed = await as(bob.token, "GET", "/api/v1/user/feed");
    const top = feed.body.items[0];
    expect(top.project).toBe("ada/first-public");
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond for the next event
    expect((await as(ada.token, "POST", "/api/v1/projects", { handle: "second-public" })).status).toBe(201);
    const since = await as(bob.token, "GET", `/api/v1/user/feed?since=${encodeURIComponent(top.created_at)}`);
    expect(since.status).toBe(200);
    expect(since.body.items.map((i: { project: string }) => i.project)).toEqual(["ada/second-public"]);
    expect(since.body.truncated).toBe(false);
  });
});
