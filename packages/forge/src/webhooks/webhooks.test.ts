// Webhooks end to end: a receiver on loopback (opened by MICELIO_OUTBOUND_ALLOW, names answered
// by an injected resolver) verifies each delivery's signature; a 500 is retried; a chosen
// delivery is sent again; forbidden addresses are refused when the hook is saved and, after
// DNS changed, when it delivers (nothing reaches the receiver); a hook that keeps failing is
// disabled and its creator mailed; only administrators see or change hooks.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { mailFiles, until } from "../testing/eventually.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { verifySignature } from "./signature.ts";

interface Got {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
let receiver: Server;
let port: number;
const got: Got[] = [];
/** Status codes to answer, in order, per path; 200 once a path's list is empty. */
const answers = new Map<string, number[]>();

let f: TestForge;
const dns = new Map<string, string>();
let alice: string;
let bob: string;
const SLOW = 60_000;

const hooksOf = (path: string) => got.filter((g) => g.path === path);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      got.push({ path: req.url ?? "", headers: req.headers, body });
      const queue = answers.get(req.url ?? "") ?? [];
      res.statusCode = queue.shift() ?? 200;
      res.end(res.statusCode === 200 ? "thanks" : "broken");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  port = (receiver.address() as AddressInfo).port;
  f = await startTestForge({ MICELIO_OUTBOUND_ALLOW: "127.0.0.1", MICELIO_WEBHOOK_RETRY_SECONDS: "0.05" });
  f.forge.outbound.resolve = async (host) => {
    const a = dns.get(host);
    return a ? [{ address: a, family: a.includes(":") ? 6 : 4 }] : [];
  };
  dns.set("hooks.test", "127.0.0.1");
  alice = (await userWithToken(f.url, "alice")).token;
  bob = (await userWithToken(f.url, "bob")).token;
  for (const [handle, visibility] of [
    ["app", "public"],
    ["secret", "private"],
  ])
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: alice, json: { handle, visibility } })).status,
    ).toBe(201);
}, SLOW);
afterAll(async () => {
  await f.close();
  receiver.closeAllConnections();
  receiver.close();
});

const hookUrl = (path: string, host = "hooks.test") => `http://${host}:${port}${path}`;
const HOOKS = "/api/v1/projects/alice/app/hooks";

describe("webhooks", () => {
  it(
    "delivers a signed, versioned payload, retries after a 500 and redelivers on request",
    async () => {
      const created = await api(f.url, "POST", HOOKS, {
        token: alice,
        json: { url: hookUrl("/a"), secret: "s3cret-value", events: ["session.created", "star"] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ secret: "s3cret-value", active: true, format: "json" });
      const id = created.body.id as string;
      const listed = await api(f.url, "GET", HOOKS, { token: alice });
      expect(listed.body).toHaveLength(1);
      expect(JSON.stringify(listed.body)).not.toContain("s3cret-value");

      answers.set("/a", [500]);
      const s = await api(f.url, "POST", "/api/v1/projects/alice/app/sessions", {
        token: alice,
        json: { goal: "Teach the parser dates" },
      });
      expect(s.status).toBe(201);
      const [first, second] = await until("the retry", () => hooksOf("/a").length >= 2 && hooksOf("/a"));
      for (const g of [first, second]) {
        expect(g.headers["x-micelio-event"]).toBe("session.created");
        expect(verifySignature("s3cret-value", g.body, g.headers["x-micelio-signature-256"] as string)).toBe(
          true,
        );
        expect(
          verifySignature("another-secret", g.body, g.headers["x-micelio-signature-256"] as string),
        ).toBe(false);
      }
      expect(second.headers["x-micelio-delivery"]).toBe(first.headers["x-micelio-delivery"]);
      const payload = JSON.parse(second.body);
      expect(payload).toMatchObject({
        version: 1,
        event: "session.created",
        delivery: first.headers["x-micelio-delivery"],
        project: { owner: "alice", name: "app", url: `${f.url}/alice/app` },
        data: { goal: "Teach the parser dates" },
      });
      expect(
        Math.abs(Date.parse(payload.timestamp) / 1000 - Number(second.headers["x-micelio-timestamp"])),
      ).toBeLessThan(1);

      const log = await until("the delivered state", async () => {
        const r = await api(f.url, "GET", `${HOOKS}/${id}/deliveries`, { token: alice });
        return r.body[0]?.state === "delivered" && r.body;
      });
      expect(log[0]).toMatchObject({
        event: "session.created",
        attempts: 2,
        status: 200,
        response_excerpt: "thanks",
      });

      const again = await api(f.url, "POST", `${HOOKS}/${id}/deliveries/${log[0].id}/redeliver`, {
        token: alice,
      });
      expect(again.status).toBe(202);
      const third = await until("the redelivery", () => hooksOf("/a")[2]);
      expect(third.headers["x-micelio-delivery"]).toBe(again.body.id);
      expect(third.headers["x-micelio-delivery"]).not.toBe(first.headers["x-micelio-delivery"]);
      expect(JSON.parse(third.body).data).toEqual(payload.data);
      const after = await api(f.url, "GET", `${HOOKS}/${id}/deliveries`, { token: alice });
      expect(after.body.find((d: { id: string }) => d.id === again.body.id)).toMatchObject({
        redelivery_of: log[0].id,
      });

      // Events it did not ask for are not sent; a star is.
      expect((await api(f.url, "PUT", "/api/v1/user/starred/alice/app", { token: bob })).status).toBe(204);
      const star = await until("the star", () =>
        hooksOf("/a").find((g) => g.headers["x-micelio-event"] === "star"),
      );
      expect(JSON.parse(star.body).data).toEqual({ actor: "bob" });
      expect(
        hooksOf("/a").every((g) =>
          ["session.created", "star"].includes(g.headers["x-micelio-event"] as string),
        ),
      ).toBe(true);
    },
    SLOW,
  );

  it("refuses forbidden addresses when a hook is saved", async () => {
    dns.set("evil.test", "10.0.0.7");
    dns.set("meta.test", "169.254.169.254");
    for (const url of [
      hookUrl("/x", "evil.test"),
      hookUrl("/x", "meta.test"),
      "http://[::ffff:169.254.169.254]/x",
      "http://192.168.1.1/x",
      "http://[fd00:ec2::254]/x",
      "http://nowhere.test/x",
      "file:///etc/passwd",
    ]) {
      const r = await api(f.url, "POST", HOOKS, { token: alice, json: { url, events: ["push"] } });
      expect(r.status, url).toBe(400);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(JSON.stringify(r.body), url).toMatch(/refused/);
    }
  });

  it(
    "checks the address again at delivery: after DNS changed, nothing reaches the receiver",
    async () => {
      dns.set("flip.test", "127.0.0.1");
      const created = await api(f.url, "POST", HOOKS, {
        token: alice,
        json: { url: hookUrl("/flip", "flip.test"), events: ["session.created"] },
      });
      expect(created.status).toBe(201);
      dns.set("flip.test", "10.9.9.9");
      await api(f.url, "POST", "/api/v1/projects/alice/app/sessions", {
        token: alice,
        json: { goal: "Flip" },
      });
      const log = await until("a refused attempt", async () => {
        const r = await api(f.url, "GET", `${HOOKS}/${created.body.id}/deliveries`, { token: alice });
        return r.body[0]?.attempts >= 1 && r.body;
      });
      expect(log[0].error).toContain("forbidden-address");
      expect(log[0].status).toBeNull();
      expect(hooksOf("/flip")).toHaveLength(0);
      await api(f.url, "DELETE", `${HOOKS}/${created.body.id}`, { token: alice });
    },
    SLOW,
  );

  it(
    "speaks Slack's format, and disables a hook that keeps failing and mails its creator",
    async () => {
      answers.set("/slack", new Array(100).fill(500));
      const created = await api(f.url, "POST", HOOKS, {
        token: alice,
        json: { url: hookUrl("/slack"), events: ["push", "star"], format: "slack" },
      });
      for (const who of ["carol", "dave", "erin", "frank", "gina"]) {
        const t = (await userWithToken(f.url, who)).token;
        await api(f.url, "PUT", "/api/v1/user/starred/alice/app", { token: t });
      }
      const hook = await until(
        "the hook to be disabled",
        async () => {
          const r = await api(f.url, "GET", `${HOOKS}/${created.body.id}`, { token: alice });
          return r.body.active === false && r.body;
        },
        45_000,
      );
      expect(hook.disabled_reason).toMatch(/5 deliveries in a row failed/);
      const first = hooksOf("/slack")[0];
      expect(JSON.parse(first.body).text).toMatch(/^\[alice\/app\] someone starred the project/);
      const mail = await until("the mail", () =>
        mailFiles(f.dataDir).find((m) => m.includes("was disabled")),
      );
      expect(mail).toContain("alice@example.test");
      expect(mail).toContain(hookUrl("/slack"));
      const audit = await f.forge.db
        .selectFrom("audit_log")
        .select(["action", "target_id"])
        .where("action", "like", "webhook.%")
        .execute();
      expect(audit).toContainEqual({ action: "webhook.create", target_id: created.body.id });
      expect(audit).toContainEqual({ action: "webhook.disable", target_id: created.body.id });

      const on = await api(f.url, "PATCH", `${HOOKS}/${created.body.id}`, {
        token: alice,
        json: { active: true },
      });
      expect(on.body).toMatchObject({ active: true, failures_in_row: 0, disabled_reason: null });
    },
    SLOW,
  );

  it("lets only administrators see and change hooks; a private project's are a 404 to others", async () => {
    expect((await api(f.url, "GET", HOOKS)).status).toBe(401);
    expect((await api(f.url, "GET", HOOKS, { token: bob })).status).toBe(403);
    expect(
      (await api(f.url, "POST", HOOKS, { token: bob, json: { url: hookUrl("/b"), events: ["push"] } }))
        .status,
    ).toBe(403);
    expect((await api(f.url, "GET", "/api/v1/projects/alice/secret/hooks", { token: bob })).status).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/projects/alice/secret/hooks", { token: alice })).status).toBe(
      200,
    );
    const list = await api(f.url, "GET", HOOKS, { token: alice });
    const one = list.body[0].id;
    expect((await api(f.url, "DELETE", `${HOOKS}/${one}`, { token: bob })).status).toBe(403);
    expect((await api(f.url, "GET", `${HOOKS}/${one}/deliveries`, { token: bob })).status).toBe(403);
  });

  it(
    "an organization's hook hears every project of the organization",
    async () => {
      expect(
        (await api(f.url, "POST", "/api/v1/orgs", { token: alice, json: { handle: "acme" } })).status,
      ).toBe(201);
      expect(
        (
          await api(f.url, "POST", "/api/v1/projects", {
            token: alice,
            json: { owner: "acme", handle: "tool" },
          })
        ).status,
      ).toBe(201);
      const created = await api(f.url, "POST", "/api/v1/orgs/acme/hooks", {
        token: alice,
        json: { url: hookUrl("/org"), events: ["session.created", "member"], format: "discord" },
      });
      expect(created.status).toBe(201);
      expect((await api(f.url, "GET", "/api/v1/orgs/acme/hooks", { token: bob })).status).toBe(403);
      await api(f.url, "POST", "/api/v1/projects/acme/tool/sessions", {
        token: alice,
        json: { goal: "Org work" },
      });
      const g = await until("the org delivery", () => hooksOf("/org")[0]);
      expect(JSON.parse(g.body)).toEqual({
        username: "Micelio",
        content: `[acme/tool] a session was opened (alice): Org work ${f.url}/acme/tool`,
      });
      // The organization's own event: a member added.
      expect(
        (await api(f.url, "PUT", "/api/v1/orgs/acme/members/bob", { token: alice, json: { role: "member" } }))
          .status,
      ).toBe(200);
      const m = await until("the member delivery", () =>
        hooksOf("/org").find((x) => x.headers["x-micelio-event"] === "member"),
      );
      expect(JSON.parse(m.body)).toEqual({
        username: "Micelio",
        content: `[acme] the organization's members changed (organization hooks) (alice) ${f.url}/acme`,
      });
    },
    SLOW,
  );

  it(
    "is managed from the settings pages: add (secret shown once), see deliveries, redeliver, delete",
    async () => {
      const web = new Browser(f.url);
      await web.submit("/login", "/login", { login: "alice", password: "pw-alice-secret" });
      const page = "/alice/app/settings/hooks";
      const listed = await web.get(page);
      expect(listed.status).toBe(200);
      expect(listed.html).toContain("Add a webhook");
      const added = await web.submit(page, page, {
        url: hookUrl("/web"),
        events: ["star", "fork"],
        format: "json",
      });
      expect(added.status).toBe(200);
      const secret = /shown only now: <code>([0-9a-f]{48})<\/code>/.exec(added.html)?.[1];
      expect(secret).toBeTruthy();
      expect((await web.get(page)).html).not.toContain(secret!);
      const hooks = await api(f.url, "GET", HOOKS, { token: alice });
      const hook = hooks.body.find((h: { url: string }) => h.url === hookUrl("/web"));
      expect(hook.events).toEqual(["star", "fork"]);

      const refused = await web.submit(page, page, { url: "http://10.1.2.3/x", events: ["push"] });
      expect(refused.status).toBe(400);
      expect(refused.html).toContain("The URL is refused");

      const t = (await userWithToken(f.url, "hank")).token;
      await api(f.url, "PUT", "/api/v1/user/starred/alice/app", { token: t });
      const first = await until("the web hook's delivery", () => hooksOf("/web")[0]);
      expect(verifySignature(secret!, first.body, first.headers["x-micelio-signature-256"] as string)).toBe(
        true,
      );
      const here = `${page}/${hook.id}`;
      const detail = await until("the delivered row", async () => {
        const r = await web.get(here);
        return r.html.includes("delivered · 200") && r.html;
      });
      const delivery = /name="delivery" value="([^"]+)"/.exec(detail)?.[1];
      const again = await web.submit(here, `${here}/redeliver`, { delivery: delivery! });
      expect(again.html).toContain("Queued again");
      await until("the redelivery", () => hooksOf("/web")[1]);

      const other = new Browser(f.url);
      await other.submit("/login", "/login", { login: "bob", password: "pw-bob-secret" });
      expect((await other.get(here)).status).toBe(403);
      expect((await other.get("/alice/secret/settings/hooks")).status).toBe(404);
      expect((await new Browser(f.url).get(page)).status).toBe(303);

      const gone = await web.submit(here, `${here}/delete`, {});
      expect(gone.status).toBe(303);
      expect((await api(f.url, "GET", `${HOOKS}/${hook.id}`, { token: alice })).status).toBe(404);
    },
    SLOW,
  );
});
