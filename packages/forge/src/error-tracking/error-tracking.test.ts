import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../jobs/index.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { mailFiles, until } from "../testing/eventually.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { verifySignature } from "../webhooks/signature.ts";

let f: TestForge;
let sentry: Server;
const envelopes: { path: string; auth: string; signature: string; body: string }[] = [];
const HOOK_SECRET = "the error hook secret, long enough";
let admin: string;
let bob: string;
let artifactUrl: string;
const SLOW = 90_000;

const mails = () => mailFiles(f.dataDir);

beforeAll(async () => {
  sentry = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      envelopes.push({
        path: req.url ?? "",
        auth: String(req.headers["x-sentry-auth"] ?? ""),
        signature: String(req.headers["x-micelio-signature-256"] ?? ""),
        body,
      });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => sentry.listen(0, "127.0.0.1", r));
  const port = (sentry.address() as AddressInfo).port;
  f = await startTestForge({
    MICELIO_OUTBOUND_ALLOW: "127.0.0.1",
    SENTRY_DSN: `http://publickey@sentry.test:${port}/42`,
    MICELIO_ERROR_WEBHOOK: `http://sentry.test:${port}/error-hook`,
    MICELIO_ERROR_WEBHOOK_SECRET: HOOK_SECRET,
  });
  f.forge.outbound.resolve = async (host) =>
    host === "sentry.test" ? [{ address: "127.0.0.1", family: 4 }] : [];
  const a = await userWithToken(f.url, "ops", ["project:read", "project:write", "session:write", "admin"]);
  await f.forge.db.updateTable("accounts").set({ is_admin: true }).where("handle", "=", "ops").execute();
  admin = a.token;
  bob = (await userWithToken(f.url, "bob")).token;
  await api(f.url, "POST", "/api/v1/projects", { token: admin, json: { handle: "app" } });
  const s = await api(f.url, "POST", "/api/v1/projects/ops/app/sessions", {
    token: admin,
    json: { goal: "Shots" },
  });
  const up = await fetch(`${f.url}/api/v1/projects/ops/app/sessions/${s.body.id}/artifacts?name=a.txt`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "text/plain" },
    body: "hello",
  });
  artifactUrl = ((await up.json()) as { url: string }).url;
}, SLOW);
afterAll(async () => {
  await f.close();
  sentry.closeAllConnections();
  sentry.close();
});

const errorsOf = async (kind: string) =>
  (await api(f.url, "GET", `/api/v1/admin/errors?kind=${kind}`, { token: admin })).body as {
    id: string;
    count: number;
    context: Record<string, unknown>;
    message: string;
    name: string;
    status: string;
  }[];

describe("error tracking", () => {
  it(
    "groups a request's unexpected error: one row, its context, 100 more counted",
    async () => {
      const get = f.forge.objects.get.bind(f.forge.objects);
      f.forge.objects.get = async () => {
        throw new TypeError("object store exploded at shelf 7");
      };
      try {
        const broken = await fetch(`${f.url}${artifactUrl}?token=mic_abcdefghijklmnopqrstuvwxyz`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(broken.status).toBe(500);
        const [first] = await until(
          "the request error",
          async () => (await errorsOf("request")).length === 1 && errorsOf("request"),
        );
        expect(first).toMatchObject({
          name: "TypeError",
          message: "object store exploded at shelf 7",
          count: 1,
          status: "open",
        });
        expect(first.context).toMatchObject({
          method: "GET",
          path: artifactUrl,
          user: "ops",
          log: "unhandled error",
        });
        expect(first.context.requestId).toBeTruthy();
        expect(JSON.stringify(first)).not.toContain("mic_abcdefghijklmnopqrstuvwxyz");
        for (let i = 0; i < 100; i++)
          await fetch(`${f.url}${artifactUrl}`, { headers: { authorization: `Bearer ${admin}` } });
        const after = await until("101 occurrences", async () => {
          const list = await errorsOf("request");
          return list[0]?.count === 101 && list;
        });
        expect(after).toHaveLength(1);
      } finally {
        f.forge.objects.get = get;
      }
      const mail = await until("the admin's mail", () =>
        mails().find((m) => m.includes("A new error") && m.includes("shelf")),
      );
      expect(mail).toContain("ops@example.test");
      expect(mails().filter((m) => m.includes("A new error") && m.includes("shelf"))).toHaveLength(1);
      const hook = await until("the error webhook", () => envelopes.find((x) => x.path === "/error-hook"));
      expect(JSON.parse(hook.body)).toMatchObject({
        event: "error.new",
        kind: "request",
        name: "TypeError",
        message: "object store exploded at shelf 7",
      });
      // Signed as project webhooks are, over the raw body, which names its delivery and time.
      expect(verifySignature(HOOK_SECRET, hook.body, hook.signature)).toBe(true);
      expect(verifySignature("another secret of some length", hook.body, hook.signature)).toBe(false);
      expect(JSON.parse(hook.body).delivery).toMatch(/^e[0-9a-f-]{36}$/);
    },
    SLOW,
  );

  it(
    "groups a job's failure: one row with the job's context, 100 more counted",
    async () => {
      await enqueue(f.forge.db, "test.no-such-kind", { n: 0 }, { maxAttempts: 1 });
      const [first] = await until(
        "the job error",
        async () => (await errorsOf("job")).length === 1 && errorsOf("job"),
      );
      expect(first).toMatchObject({ name: "UnknownJobKindError", count: 1 });
      expect(first.context).toMatchObject({ kind: "test.no-such-kind", attempt: 1 });
      for (let i = 1; i <= 100; i++)
        await enqueue(f.forge.db, "test.no-such-kind", { n: i }, { maxAttempts: 1 });
      const after = await until("101 job occurrences", async () => {
        const list = await errorsOf("job");
        return list[0]?.count === 101 && list;
      });
      expect(after).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "is resolved, reopens when it happens again, and forwards to Sentry",
    async () => {
      const [e] = await errorsOf("job");
      const resolved = await api(f.url, "POST", `/api/v1/admin/errors/${e.id}/resolve`, { token: admin });
      expect(resolved.body.status).toBe("resolved");
      await enqueue(f.forge.db, "test.no-such-kind", { n: "again" }, { maxAttempts: 1 });
      const back = await until("the reopened error", async () => {
        const one = (await api(f.url, "GET", `/api/v1/admin/errors/${e.id}`, { token: admin })).body;
        return one.count === 102 && one;
      });
      expect(back.status).toBe("open");
      const envelope = await until("a Sentry envelope", () =>
        envelopes.find((x) => x.path.includes("/envelope/") && x.body.includes("UnknownJobKindError")),
      );
      expect(envelope.path).toBe("/api/42/envelope/");
      expect(envelope.auth).toContain("sentry_key=publickey");
      const [header, item, event] = envelope.body.split("\n").map((l) => JSON.parse(l));
      expect(header.event_id).toBe(event.event_id);
      expect(item).toEqual({ type: "event" });
      expect(event).toMatchObject({ level: "error", tags: { kind: "job" } });
      expect(event.exception.values[0].type).toBe("UnknownJobKindError");
    },
    SLOW,
  );

  it("shows the list and an error's page to administrators only", async () => {
    const web = new Browser(f.url);
    await web.submit("/login", "/login", { login: "ops", password: "pw-ops-secret" });
    const list = await web.get("/admin/errors?status=all");
    expect(list.status).toBe(200);
    expect(list.html).toContain("object store exploded at shelf 7");
    const [e] = await errorsOf("request");
    const page = await web.get(`/admin/errors/${e.id}`);
    expect(page.html).toContain("Stack trace");
    expect(page.html).toContain("TypeError");
    const muted = await web.submit(`/admin/errors/${e.id}`, `/admin/errors/${e.id}/mute`, {});
    expect(muted.status).toBe(303);
    expect((await errorsOf("request"))[0].status).toBe("muted");

    expect((await api(f.url, "GET", "/api/v1/admin/errors", { token: bob })).status).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/admin/errors")).status).toBe(404);
    const other = new Browser(f.url);
    await other.submit("/login", "/login", { login: "bob", password: "pw-bob-secret" });
    expect((await other.get("/admin/errors")).status).toBe(404);
  });
});
