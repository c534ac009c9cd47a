import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { mailFiles, until } from "../testing/eventually.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { sendDigests } from "./notify-jobs.ts";

let f: TestForge;
const t: Record<string, string> = {};
const SLOW = 90_000;
const b64 = (s: string) => Buffer.from(s).toString("base64");

const mails = () => mailFiles(f.dataDir);
const mailsTo = (who: string) => mails().filter((m) => m.includes(`To: ${who}@example.test`));
const inbox = async (who: string, all = true) =>
  (await api(f.url, "GET", `/api/v1/notifications${all ? "" : "?unread=true"}`, { token: t[who] })).body as {
    unread: number;
    items: { id: number; kind: string; reason: string; title: string; url: string; project: string }[];
  };
/** Lands a one-file session in the project as `who`; returns the session id. */
async function land(who: string, project: string, goal: string, lander = who) {
  const s = await api(f.url, "POST", `/api/v1/projects/${project}/sessions`, {
    token: t[who],
    json: { goal },
  });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const path = `/api/v1/projects/${project}/sessions/${s.body.id}`;
  const put = await api(f.url, "PUT", `${path}/changes`, {
    token: t[who],
    json: { changes: [{ path: `${s.body.id}.txt`, content: b64(goal) }] },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  expect((await api(f.url, "POST", `${path}/land`, { token: t[lander] })).status).toBe(200);
  return s.body.id as string;
}
/** Waits until the fan-out has seen every event so far and its mails are written (jobs, both). */
const settled = () =>
  until("the fan-out", async () => {
    const [{ max }] = (await f.forge.db
      .selectFrom("project_events")
      .select((eb) => eb.fn.max("id").as("max"))
      .execute()) as {
      max: number;
    }[];
    const c = await f.forge.db.selectFrom("notification_cursor").select("event_id").executeTakeFirst();
    const jobs = await f.forge.db
      .selectFrom("jobs")
      .select("id")
      .where((eb) => eb.or([eb("kind", "like", "notifications.%"), eb("kind", "=", "mail.send")]))
      .where("state", "in", ["available", "running"])
      .execute();
    return Number(c?.event_id) >= Number(max) && jobs.length === 0;
  });

beforeAll(async () => {
  f = await startTestForge();
  for (const who of ["alice", "bob", "carol", "dave"]) t[who] = (await userWithToken(f.url, who)).token;
  await api(f.url, "POST", "/api/v1/orgs", { token: t.alice, json: { handle: "acme" } });
  await api(f.url, "PUT", "/api/v1/orgs/acme/members/bob", { token: t.alice, json: { role: "member" } });
  for (const [owner, handle, visibility] of [
    ["acme", "lib", "private"],
    ["alice", "app", "public"],
  ])
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: t.alice, json: { owner, handle, visibility } }))
        .status,
    ).toBe(201);
}, SLOW);
afterAll(() => f.close());

describe("notifications", () => {
  it(
    "tell a watcher of a landing by inbox and mail, and stop when they lose access",
    async () => {
      expect(
        (await api(f.url, "PUT", "/api/v1/projects/acme/lib/watch", { token: t.bob, json: { level: "all" } }))
          .body,
      ).toEqual({ level: "all" });
      expect(
        (
          await api(f.url, "PUT", "/api/v1/projects/acme/lib/watch", {
            token: t.carol,
            json: { level: "all" },
          })
        ).status,
      ).toBe(404);
      const first = await land("alice", "acme/lib", "Add the parser");
      await settled();
      const box = await inbox("bob");
      const landed = box.items.find((n) => n.kind === "session.landed");
      expect(landed).toMatchObject({
        reason: "watching",
        project: "acme/lib",
        url: `/acme/lib/sessions/${first}`,
      });
      expect(landed!.title).toContain("Add the parser");
      expect(box.unread).toBeGreaterThanOrEqual(1);
      // Alice landed it herself: she hears nothing of it. When Bob lands her next session, she
      // hears of it as its author.
      expect((await inbox("alice")).items.find((n) => n.kind === "session.landed")).toBeUndefined();
      const byBob = await land("alice", "acme/lib", "Add the lexer", "bob");
      await settled();
      expect((await inbox("alice")).items.find((n) => n.kind === "session.landed")).toMatchObject({
        reason: "author",
        url: `/acme/lib/sessions/${byBob}`,
      });
      const mail = await until("bob's mail", () => mailsTo("bob").find((m) => m.includes("Add the parser")));
      expect(mail).toMatch(
        /List-Unsubscribe:\s+<http:\/\/[^>]+\/api\/v1\/notifications\/unsubscribe\/[0-9a-f]{48}>/,
      );
      expect(mail).toMatch(/List-Unsubscribe-Post:\s+List-Unsubscribe=One-Click/);
      expect(mail).toContain(`/acme/lib/sessions/${first}`);

      // Bob leaves the organization: nothing more, and the old notification is no longer shown.
      expect((await api(f.url, "DELETE", "/api/v1/orgs/acme/members/bob", { token: t.alice })).status).toBe(
        204,
      );
      const before = mailsTo("bob").length;
      await land("alice", "acme/lib", "Add the printer");
      await settled();
      expect((await inbox("bob")).items.filter((n) => n.project === "acme/lib")).toEqual([]);
      const rows = await f.forge.db
        .selectFrom("notifications")
        .innerJoin("accounts", "accounts.id", "notifications.user_id")
        .select("title")
        .where("accounts.handle", "=", "bob")
        .execute();
      expect(rows.map((r) => r.title).join()).not.toContain("Add the printer");
      expect(mailsTo("bob").length).toBe(before);
    },
    SLOW,
  );

  it(
    "reach the author and the mentioned on a review comment, not its writer; ignore silences",
    async () => {
      const s = await api(f.url, "POST", "/api/v1/projects/alice/app/sessions", {
        token: t.alice,
        json: { goal: "Tidy up" },
      });
      const comment = await api(f.url, "POST", `/api/v1/projects/alice/app/sessions/${s.body.id}/comments`, {
        token: t.carol,
        json: { kind: "comment", body: "Looks good, @dave and @nobody-here please check the tests" },
      });
      expect(comment.status, JSON.stringify(comment.body)).toBe(201);
      await settled();
      expect((await inbox("dave")).items.find((n) => n.kind === "session.commented")).toMatchObject({
        reason: "mention",
      });
      expect((await inbox("alice")).items.find((n) => n.kind === "session.commented")).toMatchObject({
        reason: "author",
        title: "carol commented on a session",
      });
      expect((await inbox("carol")).items.filter((n) => n.kind === "session.commented")).toEqual([]);
      // A mention in the session's conversation reaches the person too.
      const said = await api(f.url, "POST", `/api/v1/projects/alice/app/sessions/${s.body.id}/events`, {
        token: t.alice,
        json: { events: [{ kind: "message", role: "user", text: "Asking @carol about the edge cases" }] },
      });
      expect(said.status, JSON.stringify(said.body)).toBe(201);
      await settled();
      expect((await inbox("carol")).items.find((n) => n.kind === "session.mentioned")).toMatchObject({
        reason: "mention",
        title: "alice mentioned you in a session: Tidy up",
      });

      await api(f.url, "PUT", "/api/v1/projects/alice/app/watch", {
        token: t.dave,
        json: { level: "ignore" },
      });
      await api(f.url, "POST", `/api/v1/projects/alice/app/sessions/${s.body.id}/comments`, {
        token: t.carol,
        json: { kind: "comment", body: "@dave once more" },
      });
      await settled();
      expect((await inbox("dave")).items.filter((n) => n.kind === "session.commented")).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "stop mailing after the one-click unsubscribe, and send a daily digest instead when asked",
    async () => {
      await api(f.url, "PUT", "/api/v1/projects/alice/app/watch", {
        token: t.carol,
        json: { level: "sessions" },
      });
      await land("alice", "alice/app", "First for carol");
      await settled();
      const mail = await until("carol's mail", () =>
        mailsTo("carol").find((m) => m.includes("First for carol")),
      );
      const token = /List-Unsubscribe:\s+<[^>]*\/api\/v1\/notifications\/unsubscribe\/([0-9a-f]+)>/.exec(
        mail,
      )?.[1];
      expect(token).toBeTruthy();
      const one = await fetch(`${f.url}/api/v1/notifications/unsubscribe/${token}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      expect(one.status).toBe(200);
      expect(
        (await api(f.url, "GET", "/api/v1/user/notification-settings", { token: t.carol })).body.email,
      ).toBe("off");
      const count = mailsTo("carol").length;
      await land("alice", "alice/app", "Second for carol");
      await settled();
      expect((await inbox("carol")).items.some((n) => n.title.includes("Second for carol"))).toBe(true);
      expect(mailsTo("carol").length).toBe(count);

      const daily = await api(f.url, "PUT", "/api/v1/user/notification-settings", {
        token: t.carol,
        json: { email: "daily" },
      });
      expect(daily.body.email).toBe("daily");
      await land("alice", "alice/app", "Third for carol");
      await settled();
      expect(await sendDigests(f.forge.db)).toBe(1);
      const digest = await until("the digest", () =>
        mailsTo("carol").find((m) => m.includes("Your Micelio digest")),
      );
      expect(digest).toContain("Third for carol");
      expect(digest).toContain("Second for carol");
      expect(await sendDigests(f.forge.db)).toBe(0);
    },
    SLOW,
  );

  it("show the inbox with its count in the header, and mark all read", async () => {
    const web = new Browser(f.url);
    await web.submit("/login", "/login", { login: "dave", password: "pw-dave-secret" });
    const { unread } = await inbox("dave");
    expect(unread).toBeGreaterThan(0);
    const page = await web.get("/notifications");
    expect(page.html).toContain(`${unread} unread`);
    expect(page.html).toContain(`<span class="badge count">${unread}</span>`);
    const [first] = (await inbox("dave", false)).items;
    const open = await web.get(`/notifications/${first!.id}/open`);
    expect(open.status).toBe(303);
    expect(open.location).toBe(first!.url);
    expect((await inbox("dave")).unread).toBe(unread - 1);
    await web.submit("/notifications", "/notifications/read", {});
    expect((await inbox("dave")).unread).toBe(0);
    expect((await web.get("/notifications")).html).toContain("all caught up");
    expect((await new Browser(f.url).get("/notifications")).status).toBe(303);
    expect((await api(f.url, "GET", "/api/v1/notifications")).status).toBe(401);
  });
});
