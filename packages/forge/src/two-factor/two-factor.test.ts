// Two-factor sign-in end to end through the real forms and API: enrolment with a code
// computed from the secret on the page, the second step at log-in, recovery codes working
// once, replayed codes refused, turning it off needing password and code, HTTP Basic with the
// password refused (tokens still work, for the API and git), and the per-account limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { Authenticator, recoveryCodesOf, secretOf } from "./test-authenticator.ts";
import { STEP_SECONDS, timeStep } from "./totp.ts";

describe("two-factor sign-in (TOTP)", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  const whoAmI = async (b: Browser) =>
    (await fetch(`${f.url}/api/v1/user`, { headers: { cookie: b.cookieHeader } })).status;
  const signedIn = async (handle: string, password: string) => {
    const b = new Browser(f.url);
    const r = await b.submit("/login", "/login", { login: handle, password });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/");
    return b;
  };

  /** Signs up, turns two-factor on through the settings pages, returns what the user keeps. */
  async function enrolled(handle: string) {
    const u = await userWithToken(f.url, handle);
    const b = await signedIn(handle, u.password);
    const start = await b.get("/settings/two-factor");
    expect(start.html).toContain("is <strong>off</strong>");
    // A wrong password does not start enrolment.
    const wrong = await b.submit("/settings/two-factor", "/settings/two-factor/setup", {
      password: "nope-nope",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("Your password is not correct");
    const setup = await b.submit("/settings/two-factor", "/settings/two-factor/setup", {
      password: u.password,
    });
    expect(setup.status).toBe(303);
    const pending = await b.get("/settings/two-factor");
    expect(pending.headers.get("cache-control")).toBe("no-store");
    expect(pending.html).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const secret = secretOf(pending.html);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const app = new Authenticator(secret);
    // The QR code carries the otpauth URI with the same secret.
    const svg = Buffer.from(
      /data:image\/svg\+xml;base64,([^"]+)"/.exec(pending.html)![1],
      "base64",
    ).toString();
    expect(svg).toContain("<svg");
    // A wrong code does not turn it on.
    const bad = await b.submit("/settings/two-factor", "/settings/two-factor/confirm", {
      code: app.codeFor(timeStep(Date.now()) + 5),
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("That code is not correct");
    const ok = await b.submit("/settings/two-factor", "/settings/two-factor/confirm", {
      code: await app.next(),
    });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain("Two-factor authentication is now on.");
    const codes = recoveryCodesOf(ok.html);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Shown once: the settings page no longer lists them, and the database holds only hashes.
    const later = await b.get("/settings/two-factor");
    expect(recoveryCodesOf(later.html)).toEqual([]);
    expect(later.html).toContain("10 of 10 recovery codes left");
    const stored = await f.forge.db
      .selectFrom("recovery_codes")
      .select("code_hash")
      .where("user_id", "=", u.user.id)
      .execute();
    expect(stored).toHaveLength(10);
    for (const s of stored) expect(codes.map((c) => c.replace("-", ""))).not.toContain(s.code_hash);
    for (const c of codes) expect(JSON.stringify(stored)).not.toContain(c);
    return { ...u, app, codes, browser: b };
  }

  it("enrols with a real code and then asks for the second step at log-in", async () => {
    const u = await enrolled("tina");
    const b = new Browser(f.url);
    const first = await b.submit("/login?next=/settings/devices", "/login", {
      login: "tina",
      password: u.password,
      next: "/settings/devices",
    });
    expect(first.status).toBe(303);
    expect(first.location).toBe("/login/two-factor");
    // The pending login is not a session.
    expect(b.cookieHeader).not.toContain("mc_session=");
    expect(await whoAmI(b)).toBe(401);
    expect((await b.get("/settings/two-factor")).status).toBe(303);
    const wrong = await b.submit("/login/two-factor", "/login/two-factor", { code: "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("That code is not correct.");
    expect(b.cookieHeader).not.toContain("mc_session=");
    const code = await u.app.next();
    const ok = await b.submit("/login/two-factor", "/login/two-factor", { code });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe("/settings/devices");
    expect(await whoAmI(b)).toBe(200);
    // The pending login is gone: the step page sends you back to the password.
    expect((await b.get("/login/two-factor")).location).toBe("/login");

    // Replaying the same code in a new log-in is refused, though the password is right.
    const c = new Browser(f.url);
    expect((await c.submit("/login", "/login", { login: "tina", password: u.password })).location).toBe(
      "/login/two-factor",
    );
    const replay = await c.submit("/login/two-factor", "/login/two-factor", { code });
    expect(replay.status).toBe(401);
    expect(await whoAmI(c)).toBe(401);
    // A later code works.
    expect(
      (await c.submit("/login/two-factor", "/login/two-factor", { code: await u.app.next() })).status,
    ).toBe(303);
    expect(await whoAmI(c)).toBe(200);

    const session = await f.forge.db
      .selectFrom("web_sessions")
      .select("auth_method")
      .where("user_id", "=", u.user.id)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(session.auth_method).toBe("password+totp");
  });

  it("a password change ends logins waiting for their second step", async () => {
    const u = await enrolled("paul");
    const waiting = new Browser(f.url);
    expect((await waiting.submit("/login", "/login", { login: "paul", password: u.password })).location).toBe(
      "/login/two-factor",
    );
    const changed = await u.browser.submit("/settings/password", "/settings/password", {
      current_password: u.password,
      new_password: "paul-new-password",
      confirm_password: "paul-new-password",
    });
    expect(changed.status).toBe(200);
    // The step page is gone (it sends you to the password); posting a good code anyway gets nowhere.
    expect((await waiting.get("/login/two-factor")).location).toBe("/login");
    const r = await waiting.submit("/login", "/login/two-factor", { code: await u.app.next() });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/login");
    expect(await whoAmI(waiting)).toBe(401);
    expect(await whoAmI(u.browser)).toBe(200);
  });

  it("without a pending login, the step page sends you to the password, and a forged post gets nowhere", async () => {
    const b = new Browser(f.url);
    expect((await b.get("/login/two-factor")).location).toBe("/login");
    const r = await b.submit("/login", "/login/two-factor", { code: "123456" });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/login");
    expect(await whoAmI(b)).toBe(401);
  });

  it("accepts each recovery code once, in any case and with or without the hyphen", async () => {
    const u = await enrolled("rhea");
    const login = async (code: string) => {
      const b = new Browser(f.url);
      await b.submit("/login", "/login", { login: "rhea", password: u.password });
      const r = await b.submit("/login/two-factor", "/login/two-factor", { code });
      return { r, b };
    };
    const first = await login(u.codes[0].toUpperCase().replace("-", " "));
    expect(first.r.status).toBe(303);
    expect(await whoAmI(first.b)).toBe(200);
    const again = await login(u.codes[0]);
    expect(again.r.status).toBe(401);
    expect(await whoAmI(again.b)).toBe(401);
    expect((await login(u.codes[1])).r.status).toBe(303);
    const page = await u.browser.get("/settings/two-factor");
    expect(page.html).toContain("8 of 10 recovery codes left");
    const log = await u.browser.get("/settings/security-log");
    expect(log.html).toContain("Recovery code used");
    expect(log.html).toContain("password and recovery code");
    // New codes replace the old: an unused old one stops working, a new one works.
    const regen = await u.browser.submit("/settings/two-factor", "/settings/two-factor/recovery-codes", {
      password: u.password,
    });
    const fresh = recoveryCodesOf(regen.html);
    expect(fresh).toHaveLength(10);
    expect((await login(u.codes[2])).r.status).toBe(401);
    expect((await login(fresh[0])).r.status).toBe(303);
  });

  it("turns off only with the password and a current code", async () => {
    const u = await enrolled("otto");
    const b = u.browser;
    const enrolCode = u.app.lastCode();
    const fresh = await u.app.next();
    const noPassword = await b.submit("/settings/two-factor", "/settings/two-factor/disable", {
      password: "wrong-password",
      code: fresh,
    });
    expect(noPassword.status).toBe(400);
    expect(noPassword.html).toContain("Your password is not correct");
    const noCode = await b.submit("/settings/two-factor", "/settings/two-factor/disable", {
      password: u.password,
      code: "",
    });
    expect(noCode.status).toBe(400);
    // The code accepted at enrolment is refused now (replay).
    const used = await b.submit("/settings/two-factor", "/settings/two-factor/disable", {
      password: u.password,
      code: enrolCode,
    });
    expect(used.status).toBe(400);
    expect(used.html).toContain("That code is not correct");
    expect((await b.get("/settings/two-factor")).html).toContain("is <strong>on</strong>");
    // The code sent with the wrong password was not spent by that refusal.
    const off = await b.submit("/settings/two-factor", "/settings/two-factor/disable", {
      password: u.password,
      code: fresh,
    });
    expect(off.status).toBe(200);
    expect(off.html).toContain("Two-factor authentication is now off.");
    expect(off.html).toContain("is <strong>off</strong>");
    // The password alone signs in again, and the old recovery codes are gone.
    const again = await signedIn("otto", u.password);
    expect(await whoAmI(again)).toBe(200);
    expect(
      await f.forge.db.selectFrom("recovery_codes").select("id").where("user_id", "=", u.user.id).execute(),
    ).toEqual([]);
    const events = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "actor", "ip", "target"])
      .where("target_id", "=", u.user.id)
      .where("action", "like", "two_factor.%")
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.action)).toEqual(["two_factor.enable", "two_factor.disable"]);
    for (const e of events) expect(e).toMatchObject({ actor: "otto", target: "otto", ip: "127.0.0.1" });
  });

  it("refuses HTTP Basic with the password once two-factor is on; tokens still work, for the API and git", async () => {
    const u = await userWithToken(f.url, "gina");
    const project = await api(f.url, "POST", "/api/v1/projects", {
      token: u.token,
      json: { handle: "vault", visibility: "private" },
    });
    expect(project.status).toBe(201);
    const refs = (auth: string) =>
      fetch(`${f.url}/gina/vault.git/info/refs?service=git-upload-pack`, {
        headers: { authorization: auth },
      });
    const basic = (password: string) => `Basic ${Buffer.from(`gina:${password}`).toString("base64")}`;
    // Before: the password works over Basic.
    expect((await api(f.url, "GET", "/api/v1/user", { basic: ["gina", u.password] })).status).toBe(200);
    expect((await refs(basic(u.password))).status).toBe(200);

    // Turn two-factor on.
    const b = await signedIn("gina", u.password);
    await b.submit("/settings/two-factor", "/settings/two-factor/setup", { password: u.password });
    const app = new Authenticator(secretOf((await b.get("/settings/two-factor")).html));
    expect(
      (await b.submit("/settings/two-factor", "/settings/two-factor/confirm", { code: await app.next() }))
        .status,
    ).toBe(200);

    const refused = await api(f.url, "GET", "/api/v1/user", { basic: ["gina", u.password] });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain("personal access token");
    expect(refused.headers.get("www-authenticate")).toContain("Basic");
    expect(
      (
        await api(f.url, "POST", "/api/v1/tokens", {
          basic: ["gina", u.password],
          json: { name: "x", scopes: ["project:read"] },
        })
      ).status,
    ).toBe(401);
    // Even the password followed by a code is just a wrong password.
    expect(
      (await api(f.url, "GET", "/api/v1/user", { basic: ["gina", u.password + (await app.next())] })).status,
    ).toBe(401);
    const gitRefused = await refs(basic(u.password));
    expect(gitRefused.status).toBe(401);
    await gitRefused.body?.cancel();

    expect((await api(f.url, "GET", "/api/v1/user", { token: u.token })).status).toBe(200);
    expect((await api(f.url, "GET", "/api/v1/user", { basic: ["gina", u.token] })).status).toBe(200);
    const gitToken = await refs(basic(u.token));
    expect(gitToken.status).toBe(200);
    expect(await gitToken.text()).toContain("git-upload-pack");
  });

  it("limits wrong codes: five per password entry, then ten per account in 15 minutes (429 with Retry-After)", async () => {
    const u = await enrolled("lars");
    const b = new Browser(f.url);
    for (let round = 0; round < 2; round++) {
      expect((await b.submit("/login", "/login", { login: "lars", password: u.password })).location).toBe(
        "/login/two-factor",
      );
      for (let i = 1; i <= 5; i++) {
        const r = await b.submit("/login/two-factor", "/login/two-factor", { code: "000000" });
        expect(r.status).toBe(401);
        if (i < 5) expect(r.html).toContain("That code is not correct.");
        else expect(r.html).toContain("Too many wrong codes");
      }
      // The pending login is used up: the password is needed again.
      expect((await b.get("/login/two-factor")).location).toBe("/login");
    }
    expect((await b.submit("/login", "/login", { login: "lars", password: u.password })).location).toBe(
      "/login/two-factor",
    );
    const limited = await b.submit("/login/two-factor", "/login/two-factor", { code: await u.app.next() });
    expect(limited.status).toBe(429);
    expect(limited.html).toContain("Too many wrong codes for this account");
    expect(await whoAmI(b)).toBe(401);
    const raw = await fetch(`${f.url}/login/two-factor`, {
      method: "POST",
      headers: {
        cookie: b.cookieHeader,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(limited.html)![1],
        code: "111111",
      }),
      redirect: "manual",
    });
    expect(raw.status).toBe(429);
    const retry = Number(raw.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    const failures = await f.forge.db
      .selectFrom("audit_log")
      .select("id")
      .where("target_id", "=", u.user.id)
      .where("action", "=", "auth.two_factor_failed")
      .execute();
    expect(failures).toHaveLength(10);
    expect(STEP_SECONDS).toBe(30);
  });
});
