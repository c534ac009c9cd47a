// Email verification end to end: a forge sending through a real SMTP listener; sign-up
// mails a link, the test follows it from the received message; the banner, resend (rate
// limited), change of address (password, notice to the old address), expiry and the API.
// Without SMTP, the same link arrives in an .eml file in the data directory.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../accounts/secrets.ts";
import { waitFor } from "../jobs/test-support.ts";
import { api, Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { MAIL_LIMITS } from "./mail-limits.ts";
import {
  addresses,
  linkIn,
  type SmtpSink,
  settle,
  settledUserWithToken,
  startSmtpSink,
} from "./test-smtp.ts";

describe("email verification", () => {
  let forge: TestForge;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    forge = await startTestForge({ SMTP_URL: smtp.url, MICELIO_MAIL_FROM: "Forge <forge@example.test>" });
  });
  afterAll(async () => {
    await forge?.close();
    await smtp?.close();
  });

  async function signUp(handle: string) {
    const b = new Browser(forge.url);
    const password = `pw-${handle}-secret`;
    const res = await b.submit("/signup", "/signup", { handle, email: `${handle}@example.test`, password });
    if (res.status === 200) {
      // Verification-first (all but the first user): an account from before it signs in at once.
      expect(res.html).toContain("Check your email");
      await settle(forge, handle);
      expect((await b.submit("/login", "/login", { login: handle, password })).status).toBe(303);
    } else expect(res.status).toBe(303);
    return b;
  }

  const audit = (action: string) =>
    forge.forge.db.selectFrom("audit_log").selectAll().where("action", "=", action).execute();

  it("mails a link at sign-up; following it verifies the address once", async () => {
    const b = await signUp("vera");
    const home = await b.get("/");
    expect(home.html).toContain('id="verify-email-banner"');
    expect(home.html).toContain("vera@example.test");

    const mail = await smtp.next("vera@example.test", /Verify your email/);
    expect(mail.from?.text).toBe('"Forge" <forge@example.test>');
    expect(mail.html).toContain("/verify-email?token=");
    const link = linkIn(mail, "/verify-email");

    const done = await b.get(link);
    expect(done.status).toBe(200);
    expect(done.html).toContain("Email verified");
    expect(done.html).not.toContain('id="verify-email-banner"');
    expect((await b.get("/")).html).not.toContain('id="verify-email-banner"');

    const again = await b.get(link);
    expect(again.status).toBe(410);
    expect(again.html).toContain("already been used");

    const entries = await audit("account.email_verify");
    expect(entries.map((e) => e.target)).toContain("vera");
  });

  it("needs no sign-in to follow the link, and reports email_verified in the API", async () => {
    const u = await settledUserWithToken(forge, "apiuser");
    const before = await api(forge.url, "GET", "/api/v1/user", { token: u.token });
    expect(before.body.email_verified).toBe(false);
    const mail = await smtp.next("apiuser@example.test", /Verify your email/);
    const res = await new Browser(forge.url).get(linkIn(mail, "/verify-email"));
    expect(res.status).toBe(200);
    const after = await api(forge.url, "GET", "/api/v1/user", { token: u.token });
    expect(after.body.email_verified).toBe(true);
    expect(after.body.email).toBe("apiuser@example.test");
  });

  it("refuses an unknown or expired link with a friendly page", async () => {
    const b = await signUp("late");
    const mail = await smtp.next("late@example.test", /Verify your email/);
    const link = linkIn(mail, "/verify-email");
    const token = decodeURIComponent(link.split("token=")[1]);
    await forge.forge.db
      .updateTable("email_tokens")
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where("id", "=", sha256(token))
      .execute();
    const expired = await b.get(link);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain("expired");
    const unknown = await b.get("/verify-email?token=not-a-real-token-at-all-xxxxxx");
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain("not valid");
    expect((await b.get("/verify-email")).status).toBe(400);
  });

  it("sends the link again from the banner, a few times an hour", async () => {
    const b = await signUp("resend");
    await smtp.next("resend@example.test", /Verify your email/);
    for (let i = 0; i < MAIL_LIMITS.resendPerUser.points; i++) {
      const r = await b.submit("/", "/settings/email/resend", {});
      expect(r.status).toBe(303);
      expect(r.location).toBe("/settings/email?sent");
      expect((await b.get(r.location!)).html).toContain("We mailed a new link to resend@example.test");
      await smtp.next("resend@example.test", /Verify your email/);
    }
    const refused = await b.submit("/", "/settings/email/resend", {});
    expect(refused.status).toBe(429);
    expect(refused.html).toContain("Too many requests");

    // The API shares the account's allowance.
    const u = await api(forge.url, "POST", "/api/v1/user/email/verification", {
      basic: ["resend", "pw-resend-secret"],
    });
    expect(u.status).toBe(429);
    expect(Number(u.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses resending for a verified address", async () => {
    const u = await settledUserWithToken(forge, "done");
    const mail = await smtp.next("done@example.test", /Verify your email/);
    await new Browser(forge.url).get(linkIn(mail, "/verify-email"));
    const r = await api(forge.url, "POST", "/api/v1/user/email/verification", { token: u.token });
    expect(r.status).toBe(409);
  });

  it("changes the address with the password: the new one verifies, the old one is told", async () => {
    const b = await signUp("mover");
    const first = await smtp.next("mover@example.test", /Verify your email/);
    const oldLink = linkIn(first, "/verify-email");

    const wrong = await b.submit("/settings/email", "/settings/email", {
      email: "mover2@example.test",
      password: "not-the-password",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("wrong password");

    const taken = await b.submit("/settings/email", "/settings/email", {
      email: "VERA@example.test",
      password: "pw-mover-secret",
    });
    expect(taken.status).toBe(409);

    const ok = await b.submit("/settings/email", "/settings/email", {
      email: "mover2@example.test",
      password: "pw-mover-secret",
    });
    expect(ok.status).toBe(303);
    const after = await b.get(ok.location!);
    expect(after.html).toContain("Your address is now mover2@example.test");
    expect(after.html).toContain("not verified");

    const notice = await smtp.next("mover@example.test", /email address was changed/);
    expect(notice.text).toContain("mover2@example.test");
    const verify = await smtp.next("mover2@example.test", /Verify your email/);

    // The link mailed to the old address no longer verifies anything.
    expect((await b.get(oldLink)).status).toBe(410);
    const res = await b.get(linkIn(verify, "/verify-email"));
    expect(res.status).toBe(200);
    expect(res.html).toContain("mover2@example.test");
    const page = await b.get("/settings/email");
    expect(page.html).toMatch(/mover2@example\.test<\/strong> <span class="badge">verified/);

    const entries = await audit("account.email_change");
    const e = entries.find((x) => x.target === "mover");
    expect(e?.data).toEqual({ from: "mover@example.test", to: "mover2@example.test" });
    expect(e?.ip).toBeTruthy();
  });

  it("changes the address through the API", async () => {
    const u = await settledUserWithToken(forge, "apimover");
    await smtp.next("apimover@example.test", /Verify your email/);
    const bad = await api(forge.url, "PUT", "/api/v1/user/email", {
      token: u.token,
      json: { email: "x@example.test", password: "wrong-password" },
    });
    expect(bad.status).toBe(400);
    const invalid = await api(forge.url, "PUT", "/api/v1/user/email", {
      token: u.token,
      json: { email: "not an address", password: u.password },
    });
    expect(invalid.status).toBe(400);
    const ok = await api(forge.url, "PUT", "/api/v1/user/email", {
      token: u.token,
      json: { email: "apimover-new@example.test", password: u.password },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ email: "apimover-new@example.test", email_verified: false });
    await smtp.next("apimover@example.test", /email address was changed/);
    await smtp.next("apimover-new@example.test", /Verify your email/);
    const anon = await api(forge.url, "PUT", "/api/v1/user/email", {
      json: { email: "y@example.test", password: "whatever-pass" },
    });
    expect(anon.status).toBe(401);
  });

  it("sends the settings page to log in when signed out", async () => {
    const r = await new Browser(forge.url).get("/settings/email");
    expect(r.status).toBe(303);
    expect(r.location).toBe("/login?next=%2Fsettings%2Femail");
  });
});

describe("email verification without SMTP", () => {
  let forge: TestForge;
  beforeAll(async () => {
    forge = await startTestForge();
  });
  afterAll(() => forge?.close());

  it("writes the message as an .eml file whose link verifies the address", async () => {
    const u = await settledUserWithToken(forge, "nosmtp");
    const dir = join(forge.dataDir, "mail");
    const file = await waitFor(() => {
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")) : [];
      return files[0];
    });
    const mail = await simpleParser(readFileSync(join(dir, file)));
    expect(addresses(mail)).toEqual(["nosmtp@example.test"]);
    expect(mail.subject).toBe("Verify your email address");
    const link = linkIn(mail, "/verify-email");
    expect(mail.text).toContain(`${forge.url}${link}`);
    expect((await new Browser(forge.url).get(link)).status).toBe(200);
    const me = await api(forge.url, "GET", "/api/v1/user", { token: u.token });
    expect(me.body.email_verified).toBe(true);
  });
});
