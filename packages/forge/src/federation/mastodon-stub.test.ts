// Federation against a stub Mastodon 4.x server on loopback that replays Mastodon-shaped payloads
// (fixtures/mastodon/, reconstructed from Mastodon's documentation and serializers: there is no
// network here) signed as Mastodon signs them. The forge accepts mallory's Follow with a signed
// Accept, delivers landings and releases to her shared inbox, serves them in the project's
// outbox and at their own URLs; her reply is held for moderation, shown as remote text once bob
// approves it, goes back to pending when edited and away when deleted; a local user follows her
// by WebFinger and gets her status; a project made private or deleted sends Delete and forgets
// its followers; a blocked domain's reply never gets in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPush } from "../sessions/project-events.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { until } from "../testing/eventually.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type MastodonStub, startMastodonStub } from "./mastodon-stub.ts";

const SLOW = 120_000;
const AP = { accept: "application/activity+json" };
const b64 = (s: string) => Buffer.from(s).toString("base64");
let f: TestForge;
let stub: MastodonStub;
const t: Record<string, string> = {};
let bobPassword = "";
let noteId = "";
let sessionPage = "";

const delivered = (type: string, path = "/inbox", n = 0) =>
  until(`a ${type} at the stub's ${path}`, async () => {
    const got = stub.received.filter((r) => r.path === path && r.body.type === type);
    return got.length > n && got[n];
  });
const replies = () => f.forge.db.selectFrom("federation_replies").selectAll().execute();
const page = async (path: string) => (await new Browser(f.url).get(path)).html;

beforeAll(async () => {
  f = await startTestForge({ MICELIO_OUTBOUND_ALLOW: "127.0.0.1" });
  const bob = await userWithToken(f.url, "bob");
  t.bob = bob.token;
  bobPassword = bob.password;
  t.alice = (await userWithToken(f.url, "alice")).token;
  t.eve = (await userWithToken(f.url, "eve")).token;
  for (const [handle, visibility] of [
    ["tool", "public"],
    ["secret", "private"],
  ])
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: t.bob, json: { handle, visibility } })).status,
    ).toBe(201);
  stub = await startMastodonStub(f.url);
}, SLOW);
afterAll(async () => {
  await Promise.all([f?.close(), stub?.close()]);
});

describe("federation with a Mastodon server", () => {
  it(
    "accepts a Mastodon Follow, delivers a landing, and lists it in the outbox and at its URL",
    async () => {
      const follow = stub.fixture("follow");
      expect(await stub.send(`${f.url}/ap/actors/bob.tool/inbox`, follow)).toBe(202);
      const accept = await delivered("Accept", "/users/mallory/inbox");
      expect(accept.body.actor).toBe(`${f.url}/ap/actors/bob.tool`);
      expect(JSON.stringify(accept.body.object)).toContain(follow.id);
      expect(String(accept.headers.signature)).toContain(`keyId="${f.url}/ap/actors/bob.tool#main-key"`);
      const rows = await f.forge.db.selectFrom("federation_followers").selectAll().execute();
      expect(rows).toMatchObject([{ actor_uri: stub.actor, inbox_url: `${stub.base}/inbox` }]);

      const s = await api(f.url, "POST", "/api/v1/projects/bob/tool/sessions", {
        token: t.bob,
        json: { goal: "Count from one" },
      });
      const path = `/api/v1/projects/bob/tool/sessions/${s.body.id}`;
      await api(f.url, "PUT", `${path}/changes`, {
        token: t.bob,
        json: { changes: [{ path: "count.txt", content: b64("1 2 3") }] },
      });
      expect((await api(f.url, "POST", `${path}/land`, { token: t.bob })).status).toBe(200);
      sessionPage = `/bob/tool/sessions/${s.body.id}`;
      const create = await delivered("Create");
      noteId = create.body.object.id;
      expect(noteId).toMatch(new RegExp(`^${f.url}/ap/actors/bob\\.tool/notes/\\d+$`));
      expect(create.body.object.content).toContain("Landed on bob/tool at position 1: Count from one");

      const note = await api(f.url, "GET", new URL(noteId).pathname, { headers: AP });
      expect(note.status).toBe(200);
      expect(note.body).toMatchObject({ id: noteId, type: "Note", url: `${f.url}${sessionPage}` });
      for (const actor of ["bob.tool", "bob"]) {
        const outbox = await api(f.url, "GET", `/ap/actors/${actor}/outbox`, { headers: AP });
        expect(outbox.body).toMatchObject({ type: "OrderedCollection", totalItems: 1 });
        const first = await api(
          f.url,
          "GET",
          new URL(outbox.body.first).pathname + new URL(outbox.body.first).search,
          {
            headers: AP,
          },
        );
        expect(first.body.orderedItems[0].object.id, actor).toBe(noteId);
      }
      // A private project has no outbox, nor any note.
      expect((await api(f.url, "GET", "/ap/actors/bob.secret/outbox", { headers: AP })).status).toBe(404);
    },
    SLOW,
  );

  it(
    "holds a Mastodon reply for moderation, shows it as text once approved, re-holds an edit, removes a delete",
    async () => {
      const reply = stub.fixture("create-reply", { IN_REPLY_TO: noteId });
      expect(await stub.send(`${f.url}/ap/inbox`, reply)).toBe(202);
      const [held] = await until("the reply to be kept", async () => {
        const r = await replies();
        return r.length > 0 && r;
      });
      expect(held).toMatchObject({ state: "pending", author: `mallory@${stub.host}`, actor_uri: stub.actor });
      expect(held.content).toBe("@bob.tool Nice landing <3 — does it count from 0?\n\nThanks!");
      expect(held.url).toBe(reply.object.url);
      expect(await page(sessionPage)).not.toContain("Nice landing");

      const list = "/api/v1/projects/bob/tool/federation/replies";
      expect((await api(f.url, "GET", list)).status).toBe(401);
      expect((await api(f.url, "GET", list, { token: t.eve })).status).toBe(403);
      expect(
        (await api(f.url, "GET", "/api/v1/projects/bob/secret/federation/replies", { token: t.eve })).status,
      ).toBe(404);
      expect(
        (await api(f.url, "GET", "/api/v1/projects/bob/secret/federation/replies", { token: t.bob })).status,
      ).toBe(404);
      const pending = await api(f.url, "GET", list, { token: t.bob });
      expect(pending.body.items).toMatchObject([
        { id: Number(held.id), state: "pending", author: held.author },
      ]);

      // Bob approves it on the session page (a form with its CSRF token).
      const bob = new Browser(f.url);
      expect((await bob.submit("/login", "/login", { login: "bob", password: bobPassword })).status).toBe(
        303,
      );
      expect((await bob.get(sessionPage)).html).toContain("awaiting moderation");
      const action = `${sessionPage}/remote-replies/${held.id}/approve`;
      expect((await bob.submit(sessionPage, action, {}, { csrf: "wrong" })).status).toBe(403);
      expect((await bob.submit(sessionPage, action, {})).status).toBe(303);
      const shown = await page(sessionPage);
      expect(shown).toContain(`mallory@${stub.host}`);
      expect(shown).toContain("Nice landing &lt;3");
      expect(shown).toContain(`href="${reply.object.url}"`);
      expect(shown).not.toContain("alert(1)");
      expect(shown).not.toContain("<code>0</code>");

      // An edit goes back to moderation; approving shows the new text.
      expect(
        await stub.send(`${f.url}/ap/inbox`, stub.fixture("update-reply", { IN_REPLY_TO: noteId })),
      ).toBe(202);
      await until("the edit", async () => (await replies())[0]?.content.includes("Edited"));
      expect((await replies())[0].state).toBe("pending");
      expect(await page(sessionPage)).not.toContain("Edited");
      const approved = await api(f.url, "POST", `${list}/${held.id}/approve`, { token: t.bob });
      expect(approved.status).toBe(200);
      expect(await page(sessionPage)).toContain("Edited: it counts from one.");

      // Delete (a Tombstone) removes it.
      expect(await stub.send(`${f.url}/ap/inbox`, stub.fixture("delete-note"))).toBe(202);
      await until("the delete", async () => (await replies()).length === 0);
      expect(await page(sessionPage)).not.toContain("mallory@");

      // A reply to the session's page (another status: Fedify drops an activity id it has seen)
      // is held too; rejected, it is never shown.
      const second = stub.fixture("create-reply", { IN_REPLY_TO: `${f.url}${sessionPage}` });
      second.object.id = `${stub.actor}/statuses/113456789012340001`;
      second.id = `${second.object.id}/activity`;
      expect(await stub.send(`${f.url}/ap/inbox`, second)).toBe(202);
      const [again] = await until("the second reply", async () => {
        const r = await replies();
        return r.length > 0 && r;
      });
      const rejected = await api(f.url, "POST", `${list}/${again.id}/reject`, { token: t.bob });
      expect(rejected.body).toMatchObject({ state: "rejected", moderated_by: "bob" });
      expect((await api(f.url, "POST", `${list}/${again.id}/approve`, { token: t.eve })).status).toBe(403);
      expect(await page(sessionPage)).not.toContain("mallory@");

      // A blocked domain's reply never gets in.
      const blocked = stub.fixture("create-reply", { IN_REPLY_TO: noteId });
      blocked.object.id = `${stub.actor}/statuses/113456789012340002`;
      blocked.id = `${blocked.object.id}/activity`;
      f.forge.config.federation.block = ["127.0.0.1"];
      try {
        expect(await stub.send(`${f.url}/ap/inbox`, blocked)).toBe(403);
      } finally {
        f.forge.config.federation.block = [];
      }
      expect((await replies()).map((r) => r.note_id)).toEqual([second.object.id]);
    },
    SLOW,
  );

  it(
    "a local user follows the Mastodon account by WebFinger and receives its status",
    async () => {
      const followed = await api(f.url, "POST", "/api/v1/user/federation/follow", {
        token: t.alice,
        json: { actor: `mallory@${stub.host}` },
      });
      expect(followed.status, JSON.stringify(followed.body)).toBe(200);
      const follow = await delivered("Follow", "/users/mallory/inbox");
      expect(follow.body.actor).toBe(`${f.url}/ap/actors/alice`);
      expect(
        await stub.send(
          `${f.url}/ap/actors/alice/inbox`,
          stub.fixture("accept", { FOLLOW_ID: follow.body.id }),
        ),
      ).toBe(202);
      await until("the follow to be accepted", async () => {
        const list = await api(f.url, "GET", "/api/v1/user/federation/following", { token: t.alice });
        return list.body.items[0]?.state === "accepted";
      });
      expect(await stub.send(`${f.url}/ap/inbox`, stub.fixture("create-status"))).toBe(202);
      const items = await until("the status in alice's inbox", async () => {
        const box = await api(f.url, "GET", "/api/v1/user/federation/inbox", { token: t.alice });
        return box.body.items.length > 0 && box.body.items;
      });
      expect(items[0]).toMatchObject({
        actor: stub.actor,
        content: "Shipping a new release of my parser today.",
      });
    },
    SLOW,
  );

  it(
    "publishes a pushed tag as a release; Undo forgets the follower; a project made private or deleted sends Delete",
    async () => {
      const project = await f.forge.db
        .selectFrom("projects")
        .select("id")
        .where("handle", "=", "tool")
        .executeTakeFirstOrThrow();
      await recordPush(f.forge.db, project.id, "bob", ["refs/tags/v1.0.0"]);
      const release = await delivered("Create", "/inbox", 1);
      expect(release.body.object.content).toBe("Released bob/tool v1.0.0");

      expect(await stub.send(`${f.url}/ap/actors/bob.tool/inbox`, stub.fixture("undo-follow"))).toBe(202);
      await until(
        "the follower to be gone",
        async () => (await f.forge.db.selectFrom("federation_followers").selectAll().execute()).length === 0,
      );
      const refollow = { ...stub.fixture("follow"), id: `${stub.base}/0c9e8d7f-1a2b-4c3d-8e9f-a0b1c2d3e4f5` };
      expect(await stub.send(`${f.url}/ap/actors/bob.tool/inbox`, refollow)).toBe(202);
      await delivered("Accept", "/users/mallory/inbox", 1);

      const hidden = await api(f.url, "PATCH", "/api/v1/projects/bob/tool", {
        token: t.bob,
        json: { visibility: "private" },
      });
      expect(hidden.status).toBe(200);
      const del = await delivered("Delete");
      expect(del.body).toMatchObject({
        actor: `${f.url}/ap/actors/bob.tool`,
        object: `${f.url}/ap/actors/bob.tool`,
      });
      expect(await f.forge.db.selectFrom("federation_followers").selectAll().execute()).toEqual([]);
      expect((await api(f.url, "GET", new URL(noteId).pathname, { headers: AP })).status).toBe(404);

      // Public again, followed again, then deleted: Delete again, and no follower is left.
      expect(
        (
          await api(f.url, "PATCH", "/api/v1/projects/bob/tool", {
            token: t.bob,
            json: { visibility: "public" },
          })
        ).status,
      ).toBe(200);
      const third = { ...stub.fixture("follow"), id: `${stub.base}/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d` };
      expect(await stub.send(`${f.url}/ap/actors/bob.tool/inbox`, third)).toBe(202);
      await delivered("Accept", "/users/mallory/inbox", 2);
      expect((await api(f.url, "DELETE", "/api/v1/projects/bob/tool", { token: t.bob })).status).toBe(204);
      expect((await delivered("Delete", "/inbox", 1)).body.object).toBe(`${f.url}/ap/actors/bob.tool`);
      expect(await f.forge.db.selectFrom("federation_followers").selectAll().execute()).toEqual([]);
    },
    SLOW,
  );
});
