// Federation end to end: two forges on loopback (opened by MICELIO_OUTBOUND_ALLOW). Alice on A
// follows bob's public project on B by handle; B verifies the signed Follow, stores her and
// accepts; a landing on B reaches her inbox on A; after she unfollows (Undo), further landings
// send nothing. Private projects and suspended accounts are no actors; a third forge that blocks
// 127.0.0.1 refuses A's activities and sends nothing there; federation off answers 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { until } from "../testing/eventually.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

const SLOW = 120_000;
const AP = { accept: "application/activity+json" };
const b64 = (s: string) => Buffer.from(s).toString("base64");
let a: TestForge;
let b: TestForge;
let c: TestForge;
const t: Record<string, string> = {};
const hostOf = (f: TestForge) => new URL(f.url).host;

async function land(f: TestForge, token: string, project: string, goal: string) {
  const s = await api(f.url, "POST", `/api/v1/projects/${project}/sessions`, { token, json: { goal } });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const path = `/api/v1/projects/${project}/sessions/${s.body.id}`;
  const put = await api(f.url, "PUT", `${path}/changes`, {
    token,
    json: { changes: [{ path: `${s.body.id}.txt`, content: b64(goal) }] },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  expect((await api(f.url, "POST", `${path}/land`, { token })).status).toBe(200);
}

/** Until a forge's publisher has seen every event and no federation job is left. */
const settled = (f: TestForge) =>
  until("the federation jobs", async () => {
    const top = await f.forge.db
      .selectFrom("project_events")
      .select((eb) => eb.fn.max("id").as("max"))
      .executeTakeFirst();
    const cur = await f.forge.db.selectFrom("federation_cursor").select("event_id").executeTakeFirst();
    const jobs = await f.forge.db
      .selectFrom("jobs")
      .select("id")
      .where("kind", "like", "federation.%")
      .where("state", "in", ["available", "running"])
      .execute();
    return Number(cur?.event_id) >= Number(top?.max ?? 0) && jobs.length === 0;
  });
const inboxOf = async (token: string) =>
  (await api(a.url, "GET", "/api/v1/user/federation/inbox", { token })).body as {
    items: { content: string; actor: string; url: string | null }[];
  };

beforeAll(async () => {
  const env = { MICELIO_OUTBOUND_ALLOW: "127.0.0.1" };
  [a, b, c] = await Promise.all([
    startTestForge(env),
    startTestForge(env),
    startTestForge({ ...env, MICELIO_FEDERATION_BLOCK: "127.0.0.1" }),
  ]);
  t.alice = (await userWithToken(a.url, "alice")).token;
  t.bob = (await userWithToken(b.url, "bob")).token;
  t.carol = (await userWithToken(c.url, "carol")).token;
  for (const [f, token, handle, visibility] of [
    [b, t.bob, "tool", "public"],
    [b, t.bob, "secret", "private"],
    [c, t.carol, "walled", "public"],
  ] as const)
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token, json: { handle, visibility } })).status,
    ).toBe(201);
}, SLOW);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), c?.close()]);
});

describe("federation", () => {
  it("answers WebFinger and NodeInfo; private projects are no actors", async () => {
    const wf = await api(
      b.url,
      "GET",
      `/.well-known/webfinger?resource=${encodeURIComponent(`acct:bob.tool@${hostOf(b)}`)}`,
    );
    expect(wf.status).toBe(200);
    const self = (wf.body.links as { rel: string; href: string }[]).find((l) => l.rel === "self");
    expect(self?.href).toBe(`${b.url}/ap/actors/bob.tool`);
    const actor = await api(b.url, "GET", "/ap/actors/bob.tool", { headers: AP });
    expect(actor.status).toBe(200);
    expect(actor.body).toMatchObject({ type: "Group", preferredUsername: "bob.tool" });
    expect(actor.body.publicKey.publicKeyPem).toContain("BEGIN PUBLIC KEY");
    const person = await api(b.url, "GET", "/ap/actors/bob", { headers: AP });
    expect(person.body).toMatchObject({ type: "Person", inbox: `${b.url}/ap/actors/bob/inbox` });
    // The private key is sealed in the database, never kept in the clear.
    const key = await b.forge.db.selectFrom("federation_keys").selectAll().executeTakeFirstOrThrow();
    expect(key.private_jwk).not.toContain('"d"');
    for (const path of [
      `/.well-known/webfinger?resource=${encodeURIComponent(`acct:bob.secret@${hostOf(b)}`)}`,
      "/ap/actors/bob.secret",
      "/ap/actors/bob.secret/followers",
      "/ap/actors/bob.nothing",
    ])
      expect((await api(b.url, "GET", path, { headers: AP })).status, path).toBe(404);
    // A suspended account is no actor either, nor are its projects.
    await b.forge.db
      .updateTable("accounts")
      .set({ suspended_at: new Date() })
      .where("handle", "=", "bob")
      .execute();
    try {
      for (const path of ["/ap/actors/bob", "/ap/actors/bob.tool"])
        expect((await api(b.url, "GET", path, { headers: AP })).status, path).toBe(404);
    } finally {
      await b.forge.db
        .updateTable("accounts")
        .set({ suspended_at: null })
        .where("handle", "=", "bob")
        .execute();
    }
    const links = await api(b.url, "GET", "/.well-known/nodeinfo");
    expect(links.body.links[0].href).toBe(`${b.url}/nodeinfo/2.1`);
    const info = await api(b.url, "GET", "/nodeinfo/2.1");
    expect(info.body).toMatchObject({ software: { name: "micelio" }, protocols: ["activitypub"] });
  });

  it(
    "delivers a followed project's landings to a remote follower until she unfollows",
    async () => {
      expect((await api(a.url, "GET", "/api/v1/user/federation/inbox")).status).toBe(401);
      const handle = `bob.tool@${hostOf(b)}`;
      const followed = await api(a.url, "POST", "/api/v1/user/federation/follow", {
        token: t.alice,
        json: { actor: handle },
      });
      expect(followed.status, JSON.stringify(followed.body)).toBe(200);
      expect(followed.body).toMatchObject({ actor: `${b.url}/ap/actors/bob.tool`, handle });
      await until("B to accept", async () => {
        const list = await api(a.url, "GET", "/api/v1/user/federation/following", { token: t.alice });
        return list.body.items[0]?.state === "accepted";
      });
      const followers = await b.forge.db.selectFrom("federation_followers").selectAll().execute();
      expect(followers).toMatchObject([{ actor_uri: `${a.url}/ap/actors/alice` }]);

      // A private project cannot be followed at all.
      const secret = await api(a.url, "POST", "/api/v1/user/federation/follow", {
        token: t.alice,
        json: { actor: `bob.secret@${hostOf(b)}` },
      });
      expect(secret.status).toBe(404);

      await land(b, t.bob, "bob/tool", "Teach the tool to count");
      await land(b, t.bob, "bob/secret", "Hidden work");
      const got = await until("the landing on A", async () => {
        const box = await inboxOf(t.alice);
        return box.items.length > 0 && box.items;
      });
      expect(got).toHaveLength(1);
      expect(got[0].content).toContain("Teach the tool to count");
      expect(got[0].actor).toBe(`${b.url}/ap/actors/bob.tool`);
      // It is in her home feed too (the API's and the home page's).
      const feed = await api(a.url, "GET", "/api/v1/user/feed", { token: t.alice });
      expect(feed.body.items[0]).toMatchObject({
        type: "remote",
        actor: `bob.tool@${hostOf(b)}`,
        title: expect.stringContaining("Teach the tool to count"),
      });
      expect(feed.body.items[0].url).toMatch(new RegExp(`^${b.url}/bob/tool/sessions/`));
      // And in her notifications inbox, as a note from elsewhere (no project, never mailed).
      const notes = await api(a.url, "GET", "/api/v1/notifications", { token: t.alice });
      expect(notes.body.unread).toBe(1);
      expect(notes.body.items).toMatchObject([
        {
          kind: "federation.note",
          reason: "following",
          project: null,
          actor: `bob.tool@${hostOf(b)}`,
          title: expect.stringContaining("Teach the tool to count"),
          url: expect.stringMatching(new RegExp(`^${b.url}/bob/tool/sessions/`)),
        },
      ]);
      await settled(b);
      expect(JSON.stringify(await inboxOf(t.alice))).not.toContain("Hidden work");

      const unfollowed = await api(a.url, "DELETE", "/api/v1/user/federation/follow", {
        token: t.alice,
        json: { actor: handle },
      });
      expect(unfollowed.status).toBe(204);
      await until("B to forget the follower", async () => {
        const rows = await b.forge.db.selectFrom("federation_followers").selectAll().execute();
        return rows.length === 0;
      });
      await land(b, t.bob, "bob/tool", "After the unfollow");
      await settled(b);
      await settled(a);
      expect((await inboxOf(t.alice)).items).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "refuses unsigned activities, and stops publishing a project made private",
    async () => {
      const forged = await api(b.url, "POST", "/ap/actors/bob.tool/inbox", {
        headers: { "content-type": "application/activity+json" },
        raw: JSON.stringify({
          "@context": "https://www.w3.org/ns/activitystreams",
          id: `${a.url}/ap/actors/alice#follows/forged`,
          type: "Follow",
          actor: `${a.url}/ap/actors/alice`,
          object: `${b.url}/ap/actors/bob.tool`,
        }),
      });
      expect(forged.status).toBe(401);
      const huge = await api(b.url, "POST", "/ap/actors/bob.tool/inbox", {
        headers: { "content-type": "application/activity+json" },
        raw: JSON.stringify({ type: "Note", content: "x".repeat(300 * 1024) }),
      });
      expect(huge.status).toBe(413);
      expect(await b.forge.db.selectFrom("federation_followers").selectAll().execute()).toEqual([]);

      const handle = `bob.tool@${hostOf(b)}`;
      expect(
        (
          await api(a.url, "POST", "/api/v1/user/federation/follow", {
            token: t.alice,
            json: { actor: handle },
          })
        ).status,
      ).toBe(200);
      await until("B to accept again", async () => {
        const list = await api(a.url, "GET", "/api/v1/user/federation/following", { token: t.alice });
        return list.body.items.find((i: { handle: string }) => i.handle === handle)?.state === "accepted";
      });
      const before = (await inboxOf(t.alice)).items.length;
      const hidden = await api(b.url, "PATCH", "/api/v1/projects/bob/tool", {
        token: t.bob,
        json: { visibility: "private" },
      });
      expect(hidden.status, JSON.stringify(hidden.body)).toBe(200);
      await land(b, t.bob, "bob/tool", "Now private");
      await settled(b);
      await settled(a);
      expect((await inboxOf(t.alice)).items).toHaveLength(before);
      expect((await api(b.url, "GET", "/ap/actors/bob.tool", { headers: AP })).status).toBe(404);
      await api(a.url, "DELETE", "/api/v1/user/federation/follow", {
        token: t.alice,
        json: { actor: handle },
      });
    },
    SLOW,
  );

  it(
    "a forge that blocks a domain refuses its activities and sends nothing there; off answers 404",
    async () => {
      // C blocks 127.0.0.1: A's signed Follow is refused, the follow stays pending.
      const handle = `carol.walled@${hostOf(c)}`;
      const followed = await api(a.url, "POST", "/api/v1/user/federation/follow", {
        token: t.alice,
        json: { actor: handle },
      });
      expect(followed.status, JSON.stringify(followed.body)).toBe(200);
      const refused = await until("A's Follow to reach C", async () => {
        const jobs = await a.forge.db
          .selectFrom("jobs")
          .select(["last_error", "attempts"])
          .where("kind", "=", "federation.deliver")
          .where("attempts", ">=", 1)
          .execute();
        return jobs.find((j) => j.last_error?.includes("403"));
      });
      expect(refused.last_error).toContain(hostOf(c));
      expect(await c.forge.db.selectFrom("federation_followers").selectAll().execute()).toEqual([]);
      const list = await api(a.url, "GET", "/api/v1/user/federation/following", { token: t.alice });
      expect(list.body.items.find((i: { handle: string }) => i.handle === handle)?.state).toBe("pending");
      // And carol on C cannot follow anything there.
      const out = await api(c.url, "POST", "/api/v1/user/federation/follow", {
        token: t.carol,
        json: { actor: `bob.tool@${hostOf(b)}` },
      });
      expect(out.status).toBe(403);

      c.forge.config.federation.enabled = false;
      try {
        expect((await api(c.url, "GET", "/ap/actors/carol.walled", { headers: AP })).status).toBe(404);
        expect((await api(c.url, "GET", "/nodeinfo/2.1")).status).toBe(404);
      } finally {
        c.forge.config.federation.enabled = true;
      }
    },
    SLOW,
  );
});
