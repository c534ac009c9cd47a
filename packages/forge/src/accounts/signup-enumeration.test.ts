// Sign-up does not tell whether an address is registered, on a forge that can send mail: the
// same 202 (API) or "Check your email" page (web) for a new and a registered address; the
// owner of a registered address is mailed instead; a new account cannot sign in with its
// password (web, API Basic, git) until its address is verified, answering as a wrong password
// does. Handles stay public: a taken one is 409 whatever the address.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkIn, type SmtpSink, startSmtpSink } from "../mail/test-smtp.ts";
import { api, Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("sign-up without account enumeration (forge with mail)", () => {
  let forge: TestForge;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    forge = await startTestForge({ SMTP_URL: smtp.url });
    // The first user (the administrator) is signed up and in at once, as before.
    const first = await api(forge.url, "POST", "/api/v1/signup", {
      json: { handle: "owner", email: "owner@example.test", password: "pw-owner-secret" },
    });
    expect(first.status).toBe(201);
    expect(first.body.is_admin).toBe(true);
  });
  afterAll(async () => {
    await forge?.close();
    await smtp?.close();
  });

  const signupApi = (handle: string, email: string, password = `pw-${handle}-secret`) =>
    api(forge.url, "POST", "/api/v1/signup", { json: { handle, email, password } });
  const basic = (login: string, password: string) =>
    api(forge.url, "GET", "/api/v1/user", { basic: [login, password] });
  const webLogin = async (login: string, password: string) => {
    const res = await new Browser(forge.url).submit("/login", "/login", { login, password });
    return { status: res.status, alert: /role="alert"[^>]*>([^<]*)</.exec(res.html)?.[1] ?? res.location };
  };

  it("answers a new and a registered address alike in the API, and mails the owner", async () => {
    const fresh = await signupApi("newbie", "newbie@example.test");
    const taken = await signupApi("copycat", "Owner@example.test");
    expect(fresh.status).toBe(202);
    expect(taken.status).toBe(fresh.status);
    expect(fresh.body.email).toBe("newbie@example.test");
    expect(taken.body.email).toBe("Owner@example.test");
    expect({ ...taken.body, email: "" }).toEqual({ ...fresh.body, email: "" });
    expect(fresh.body.status).toBe("verification_sent");

    const notice = await smtp.next("owner@example.test", /sign up/i);
    expect(notice.text).toContain("/login");
    expect(notice.text).toContain("/forgot-password");
    expect((await api(forge.url, "GET", "/api/v1/users/copycat")).status).toBe(404);

    // The new account waits for its address: its password answers as a wrong one does.
    const mail = await smtp.next("newbie@example.test", /Verify your email/);
    const right = await basic("newbie", "pw-newbie-secret");
    const wrong = await basic("newbie", "not-the-password");
    expect(right.status).toBe(401);
    expect(right.body).toEqual(wrong.body);
    expect(await webLogin("newbie", "pw-newbie-secret")).toEqual(await webLogin("newbie", "nope-nope-nope"));
    const git = await fetch(`${forge.url}/owner/none.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from("newbie:pw-newbie-secret").toString("base64")}` },
    });
    expect(git.status).toBe(401);

    // Following the link verifies the address and signs the browser in; the password works then.
    const b = new Browser(forge.url);
    const verified = await b.get(linkIn(mail, "/verify-email"));
    expect(verified.status).toBe(200);
    expect(verified.html).toContain("Email verified");
    expect((await b.get("/settings/email")).status).toBe(200);
    const after = await basic("newbie", "pw-newbie-secret");
    expect(after.status).toBe(200);
    expect(after.body.email_verified).toBe(true);
  });

  it("answers a new and a registered address alike on the web", async () => {
    const page = async (handle: string, email: string) => {
      const b = new Browser(forge.url);
      const res = await b.submit("/signup", "/signup", { handle, email, password: `pw-${handle}-secret` });
      const html = res.html.replace(/name="_csrf" value="[^"]*"/g, "").replaceAll(email, "EMAIL");
      return { status: res.status, html, signedIn: (await b.get("/settings/email")).status === 200 };
    };
    const fresh = await page("webbie", "webbie@example.test");
    const taken = await page("webcopy", "owner@example.test");
    expect(fresh.status).toBe(200);
    expect(fresh.html).toContain("Check your email");
    expect(taken).toEqual(fresh);
    expect(fresh.signedIn).toBe(false);
    await smtp.next("owner@example.test", /sign up/i);
    const mail = await smtp.next("webbie@example.test", /Verify your email/);
    expect(await webLogin("webbie", "pw-webbie-secret")).toEqual(await webLogin("webbie", "wrong-wrong"));

    const b = new Browser(forge.url);
    expect((await b.get(linkIn(mail, "/verify-email"))).status).toBe(200);
    expect((await b.get("/settings/email")).status).toBe(200);
    const login = await new Browser(forge.url).submit("/login", "/login", {
      login: "webbie",
      password: "pw-webbie-secret",
    });
    expect(login.status).toBe(303);
  });

  it("still refuses a taken handle with 409, whatever the address", async () => {
    const withNew = await signupApi("owner", "someone-new@example.test");
    const withTaken = await signupApi("owner", "newbie@example.test");
    expect(withNew.status).toBe(409);
    expect(withTaken.status).toBe(409);
    expect(withTaken.body).toEqual(withNew.body);
  });
});
