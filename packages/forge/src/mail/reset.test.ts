// Password reset end to end through a real SMTP listener: the link from the received mail
// sets a new password once, revokes every web session, and is refused when reused or
// expired; unknown and known addresses get the same answer; requests are rate limited.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../accounts/secrets.ts";
import { waitFor } from "../jobs/test-support.ts";
import { api, Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { MAIL_LIMITS } from "./mail-limits.ts";
import { RESET_REQUEST_JOB } from "./reset-service.ts";
import { addresses, linkIn, type SmtpSink, settledUserWithToken, startSmtpSink } from "./test-smtp.ts";

describe("password reset", () => {
  let forge: TestForge;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    forge = await startTestForge({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await forge?.close();
    await smtp?.close();
  });

  async function signedIn(handle: string, password: string) {
    const b = new Browser(forge.url);
    const r = await b.submit("/login", "/login", { login: handle, password });
    expect(r.status).toBe(303);
    return b;
  }
  const isSignedIn = async (b: Browser) => (await b.get("/settings/email")).status === 200;
  const requestJobsDone = () =>
    waitFor(
      async () =>
        (
          await forge.forge.db
            .selectFrom("jobs")
            .select("id")
            .where("kind", "=", RESET_REQUEST_JOB)
            .where("state", "!=", "completed")
            .execute()
        ).length === 0,
      { what: "reset requests handled" },
    );

  it("links to the form from the login page", async () => {
    const login = await new Browser(forge.url).get("/login");
    expect(login.html).toContain('href="/forgot-password"');
    const form = await new Browser(forge.url).get("/forgot-password");
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="_csrf"');
  });

  it("answers the same for a known and an unknown address, and mails only the known one", async () => {
    await settledUserWithToken(forge, "known");
    await smtp.next("known@example.test", /Verify your email/);
    const b = new Browser(forge.url);
    const known = await b.submit("/forgot-password", "/forgot-password", { email: "known@example.test" });
    const unknown = await b.submit("/forgot-password", "/forgot-password", { email: "nobody@example.test" });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(unknown.html).toBe(known.html);
    expect(known.html).toContain("Check your email");

    const viaApiKnown = await api(forge.url, "POST", "/api/v1/password-reset", {
      json: { email: "known@example.test" },
    });
    const viaApiUnknown = await api(forge.url, "POST", "/api/v1/password-reset", {
      json: { email: "nobody@example.test" },
    });
    expect(viaApiKnown.status).toBe(202);
    expect(viaApiUnknown.status).toBe(202);
    expect(viaApiUnknown.body).toEqual(viaApiKnown.body);

    await smtp.next("known@example.test", /Reset your password/);
    await smtp.next("known@example.test", /Reset your password/);
    await requestJobsDone();
    await waitFor(async () => {
      const pending = await forge.forge.db
        .selectFrom("jobs")
        .select("id")
        .where("state", "in", ["available", "running"])
        .execute();
      return pending.length === 0;
    });
    expect(smtp.received.filter((m) => addresses(m).includes("nobody@example.test"))).toHaveLength(0);
    const entries = await forge.forge.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "account.password_reset_request")
      .execute();
    expect(entries.map((e) => e.target)).toEqual(["known", "known"]);
    expect(entries[0].ip).toBeTruthy();
  });

  it("refuses a malformed address with a clear message", async () => {
    const r = await new Browser(forge.url).submit("/forgot-password", "/forgot-password", { email: "nope" });
    expect(r.status).toBe(400);
    expect(r.html).toContain("Enter a valid email address");
    const a = await api(forge.url, "POST", "/api/v1/password-reset", { json: { email: "nope" } });
    expect(a.status).toBe(400);
  });

  it("sets a new password once from the mailed link and signs every browser out", async () => {
    const u = await settledUserWithToken(forge, "resetme");
    await smtp.next("resetme@example.test", /Verify your email/);
    const laptop = await signedIn("resetme", u.password);
    const phone = await signedIn("resetme@example.test", u.password);
    expect(await isSignedIn(laptop)).toBe(true);
    expect(await isSignedIn(phone)).toBe(true);

    const visitor = new Browser(forge.url);
    await visitor.submit("/forgot-password", "/forgot-password", { email: "ResetMe@example.test" });
    const mail = await smtp.next("resetme@example.test", /Reset your password/);
    expect(mail.text).toContain("expires in 1 hour");
    const link = linkIn(mail, "/reset-password");

    const form = await visitor.get(link);
    expect(form.status).toBe(200);
    expect(form.html).toContain("Choose a new password");
    expect(form.headers.get("referrer-policy")).toBe("no-referrer");
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(form.html).not.toContain("og:url");

    const mismatch = await visitor.submit(link, "/reset-password", {
      token: decodeURIComponent(link.split("token=")[1]),
      password: "new-password-1",
      confirm: "new-password-2",
    });
    expect(mismatch.status).toBe(400);
    const short = await visitor.submit(link, "/reset-password", {
      token: decodeURIComponent(link.split("token=")[1]),
      password: "short",
      confirm: "short",
    });
    expect(short.status).toBe(400);
    expect(short.html).toContain("at least 8 characters");

    // Still usable after the refusals above.
    const done = await visitor.submit(link, "/reset-password", {
      token: decodeURIComponent(link.split("token=")[1]),
      password: "brand-new-password",
      confirm: "brand-new-password",
    });
    expect(done.status).toBe(200);
    expect(done.html).toContain("Password changed");

    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(phone)).toBe(false);
    const sessions = await forge.forge.db
      .selectFrom("web_sessions")
      .select("id")
      .where("user_id", "=", u.user.id)
      .execute();
    expect(sessions).toHaveLength(0);

    const oldLogin = await new Browser(forge.url).submit("/login", "/login", {
      login: "resetme",
      password: u.password,
    });
    expect(oldLogin.status).toBe(401);
    const fresh = await signedIn("resetme", "brand-new-password");
    expect(await isSignedIn(fresh)).toBe(true);
    const log = await fresh.get("/settings/security-log");
    expect(log.html).toContain("Password reset with an emailed link");
    expect(log.html).toContain("Password reset link requested");

    // The link is spent: both the page and the form refuse it.
    const reuse = await visitor.get(link);
    expect(reuse.status).toBe(410);
    expect(reuse.html).toContain("already been used");
    const repost = await visitor.submit("/forgot-password", "/reset-password", {
      token: decodeURIComponent(link.split("token=")[1]),
      password: "another-password",
      confirm: "another-password",
    });
    expect(repost.status).toBe(410);
    expect(await isSignedIn(await signedIn("resetme", "brand-new-password"))).toBe(true);

    const notice = await smtp.next("resetme@example.test", /password was changed/);
    expect(notice.text).toContain("@resetme");
    const entry = await forge.forge.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "account.password_reset")
      .where("target", "=", "resetme")
      .executeTakeFirstOrThrow();
    expect(entry.data).toEqual({ sessions_revoked: 2 });
    expect(entry.actor).toBe("resetme");
    // The link proved the address.
    const me = await api(forge.url, "GET", "/api/v1/user", { token: u.token });
    expect(me.body.email_verified).toBe(true);
  });

  it("refuses an expired link", async () => {
    const u = await settledUserWithToken(forge, "expiry");
    await smtp.next("expiry@example.test", /Verify your email/);
    const b = new Browser(forge.url);
    await b.submit("/forgot-password", "/forgot-password", { email: "expiry@example.test" });
    const link = linkIn(await smtp.next("expiry@example.test", /Reset your password/), "/reset-password");
    const token = decodeURIComponent(link.split("token=")[1]);
    const row = await forge.forge.db
      .selectFrom("email_tokens")
      .select(sql<number>`extract(epoch from expires_at - created_at)`.as("lifetime"))
      .where("id", "=", sha256(token))
      .executeTakeFirstOrThrow();
    expect(Math.round(Number(row.lifetime))).toBe(3600);
    expect((await b.get(link)).status).toBe(200);

    await forge.forge.db
      .updateTable("email_tokens")
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where("id", "=", sha256(token))
      .execute();
    const page = await b.get(link);
    expect(page.status).toBe(410);
    expect(page.html).toContain("expired");
    const post = await b.submit("/forgot-password", "/reset-password", {
      token,
      password: "expired-password",
      confirm: "expired-password",
    });
    expect(post.status).toBe(410);
    expect(await isSignedIn(await signedIn("expiry", u.password))).toBe(true);
  });

  it("refuses a link sent before the address changed", async () => {
    const u = await settledUserWithToken(forge, "switcher");
    await smtp.next("switcher@example.test", /Verify your email/);
    await api(forge.url, "POST", "/api/v1/password-reset", { json: { email: "switcher@example.test" } });
    const link = linkIn(await smtp.next("switcher@example.test", /Reset your password/), "/reset-password");
    const changed = await api(forge.url, "PUT", "/api/v1/user/email", {
      token: u.token,
      json: { email: "switcher2@example.test", password: u.password },
    });
    expect(changed.status).toBe(200);
    expect((await new Browser(forge.url).get(link)).status).toBe(410);
  });

  it("rejects made-up tokens", async () => {
    const b = new Browser(forge.url);
    expect((await b.get("/reset-password?token=abcdefghijklmnopqrstuvwxyz0123")).status).toBe(400);
    expect((await b.get("/reset-password")).status).toBe(400);
    const r = await b.submit("/forgot-password", "/reset-password", {
      token: "<script>",
      password: "whatever-password",
      confirm: "whatever-password",
    });
    expect(r.status).toBe(400);
    expect(r.html).not.toContain("<script>");
  });

  it("needs the form's CSRF token", async () => {
    const res = await fetch(`${forge.url}/forgot-password`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "email=known%40example.test",
      redirect: "manual",
    });
    expect(res.status).toBe(403);
  });
});

describe("password reset rate limits", () => {
  let forge: TestForge;
  beforeAll(async () => {
    forge = await startTestForge();
  });
  afterAll(() => forge?.close());

  const ask = (b: Browser, email: string) => b.submit("/forgot-password", "/forgot-password", { email });

  it("limits requests per address, whoever asks, and per IP", async () => {
    const perAddress = MAIL_LIMITS.resetPerAddress.points;
    const perIp = MAIL_LIMITS.resetPerIp.points;
    for (let i = 0; i < perAddress; i++)
      expect((await ask(new Browser(forge.url), "a@example.test")).status).toBe(200);
    const refused = await ask(new Browser(forge.url), "A@example.test");
    expect(refused.status).toBe(429);
    expect(refused.html).toContain("Too many requests");
    // Every refused request still counted against the IP; the rest of its allowance is spent here.
    for (let i = perAddress + 1; i < perIp; i++) {
      expect((await ask(new Browser(forge.url), `other${i}@example.test`)).status).toBe(200);
    }
    const api429 = await api(forge.url, "POST", "/api/v1/password-reset", {
      json: { email: "z@example.test" },
    });
    expect(api429.status).toBe(429);
    expect(Number(api429.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
