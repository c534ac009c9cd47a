// Sessions and devices end to end: the list (device in plain words, address, current one
// marked, last use kept up to date), signing one or all other sessions out through the CSRF
// forms and the API, a password change signing out the others, and the security log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../accounts/secrets.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("sessions and devices", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  const status = async (cookie: string) =>
    (await fetch(`${f.url}/api/v1/user`, { headers: { cookie } })).status;

  async function login(handle: string, password: string) {
    const b = new Browser(f.url);
    const r = await b.submit("/login", "/login", { login: handle, password });
    expect(r.status).toBe(303);
    return b;
  }

  /** Logs in with plain fetch and a chosen User-Agent; returns the session cookie header. */
  async function loginAs(handle: string, password: string, userAgent: string) {
    const page = await fetch(`${f.url}/login`, { headers: { "user-agent": userAgent } });
    const anon = page.headers
      .getSetCookie()
      .find((c) => c.startsWith("mc_csrf="))!
      .split(";")[0];
    const r = await fetch(`${f.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: anon, "content-type": "application/x-www-form-urlencoded", "user-agent": userAgent },
      body: new URLSearchParams({ _csrf: csrfOf(await page.text()), login: handle, password }),
    });
    expect(r.status).toBe(303);
    return r.headers
      .getSetCookie()
      .find((c) => c.startsWith("mc_session="))!
      .split(";")[0];
  }

  it("lists the sessions with the device in plain words, the address and the current one marked", async () => {
    const u = await userWithToken(f.url, "dora");
    const firefox = await loginAs("dora", u.password, FIREFOX);
    const b = await login("dora", u.password);
    const page = await b.get("/settings/devices");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Firefox on Linux");
    expect(page.html).toContain("127.0.0.1");
    expect(page.html.match(/This device/g)).toHaveLength(1);
    const listed = await api(f.url, "GET", "/api/v1/user/sessions", { headers: { cookie: firefox } });
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(2);
    const mine = listed.body.find((s: { current: boolean }) => s.current);
    expect(mine).toMatchObject({
      device: "Firefox on Linux",
      user_agent: FIREFOX,
      ip: "127.0.0.1",
      signed_in_with: "password",
    });
    // Neither the cookie nor its stored hash is ever shown.
    const cookieValue = firefox.split("=")[1];
    for (const s of listed.body) {
      expect(s.id).not.toBe(sha256(cookieValue));
      expect(JSON.stringify(listed.body)).not.toContain(sha256(cookieValue));
    }
    // A token sees the list (none of them current) but cannot sign sessions out.
    const viaToken = await api(f.url, "GET", "/api/v1/user/sessions", { token: u.token });
    expect(viaToken.body.map((s: { current: boolean }) => s.current)).toEqual([false, false]);
    const tokenDelete = await api(f.url, "DELETE", `/api/v1/user/sessions/${mine.id}`, { token: u.token });
    expect(tokenDelete.status).toBe(403);
    expect(await status(firefox)).toBe(200);
  });

  it("keeps the last use cheaply: written when more than a minute old, with the address", async () => {
    const u = await userWithToken(f.url, "lena");
    const b = await login("lena", u.password);
    const row = () =>
      f.forge.db
        .selectFrom("web_sessions")
        .select(["id", "last_used_at", "last_ip"])
        .where("user_id", "=", u.user.id)
        .executeTakeFirstOrThrow();
    const { id } = await row();
    const old = new Date(Date.now() - 5 * 60_000);
    await f.forge.db
      .updateTable("web_sessions")
      .set({ last_used_at: old, last_ip: "" })
      .where("id", "=", id)
      .execute();
    expect(await status(b.cookieHeader)).toBe(200);
    const after = await row();
    expect(after.last_used_at.getTime()).toBeGreaterThan(old.getTime() + 60_000);
    expect(after.last_ip).toBe("127.0.0.1");
    // Within the minute, requests do not write.
    const recent = new Date(Date.now() - 20_000);
    await f.forge.db.updateTable("web_sessions").set({ last_used_at: recent }).where("id", "=", id).execute();
    expect(await status(b.cookieHeader)).toBe(200);
    expect((await row()).last_used_at.getTime()).toBe(recent.getTime());
  });

  it("signs one session out through the form; another user's session id is not found", async () => {
    const u = await userWithToken(f.url, "ivan");
    const other = await userWithToken(f.url, "olga");
    const a = await login("ivan", u.password);
    const firefox = await loginAs("ivan", u.password, FIREFOX);
    const olga = await login("olga", other.password);
    const listed = (await api(f.url, "GET", "/api/v1/user/sessions", { headers: { cookie: firefox } })).body;
    const target = listed.find((s: { current: boolean }) => s.current).id;
    const olgaSession = (
      await api(f.url, "GET", "/api/v1/user/sessions", { headers: { cookie: olga.cookieHeader } })
    ).body[0].id;

    // Without the form's CSRF token nothing happens.
    const forged = await a.submit(
      "/settings/devices",
      `/settings/devices/${target}/revoke`,
      {},
      { csrf: "forged" },
    );
    expect(forged.status).toBe(403);
    expect(await status(firefox)).toBe(200);

    const notMine = await a.submit("/settings/devices", `/settings/devices/${olgaSession}/revoke`, {});
    expect(notMine.status).toBe(404);
    expect(await status(olga.cookieHeader)).toBe(200);

    const r = await a.submit("/settings/devices", `/settings/devices/${target}/revoke`, {});
    expect(r.status).toBe(200);
    expect(r.html).toContain("Session signed out.");
    expect(r.html).not.toContain("Firefox on Linux");
    expect(await status(firefox)).toBe(401);
    expect(await status(a.cookieHeader)).toBe(200);

    // Signing out the current session from the list is logging out.
    const own = (await api(f.url, "GET", "/api/v1/user/sessions", { headers: { cookie: a.cookieHeader } }))
      .body[0].id;
    const out = await a.submit("/settings/devices", `/settings/devices/${own}/revoke`, {});
    expect(out.status).toBe(303);
    expect(out.location).toBe("/login");
    expect(a.cookieHeader).not.toContain("mc_session=");
  });

  it("signs out all other sessions, and the API signs one out with the password", async () => {
    const u = await userWithToken(f.url, "nina");
    const keep = await login("nina", u.password);
    const others = [await login("nina", u.password), await login("nina", u.password)];
    const r = await keep.submit("/settings/devices", "/settings/devices/revoke-others", {});
    expect(r.status).toBe(200);
    expect(r.html).toContain("Signed out 2 other sessions.");
    for (const o of others) expect(await status(o.cookieHeader)).toBe(401);
    expect(await status(keep.cookieHeader)).toBe(200);

    const extra = await login("nina", u.password);
    const id = (
      await api(f.url, "GET", "/api/v1/user/sessions", { headers: { cookie: extra.cookieHeader } })
    ).body.find((s: { current: boolean }) => s.current).id;
    expect(
      (await api(f.url, "DELETE", `/api/v1/user/sessions/${id}`, { basic: ["nina", u.password] })).status,
    ).toBe(204);
    expect(await status(extra.cookieHeader)).toBe(401);
    expect(
      (await api(f.url, "DELETE", `/api/v1/user/sessions/${id}`, { basic: ["nina", u.password] })).status,
    ).toBe(404);
    expect((await api(f.url, "DELETE", "/api/v1/user/sessions/x", {})).status).toBe(401);
  });

  it("changes the password with the current one and signs out every other session", async () => {
    const u = await userWithToken(f.url, "pavel");
    const here = await login("pavel", u.password);
    const elsewhere = await login("pavel", u.password);
    const wrong = await here.submit("/settings/password", "/settings/password", {
      current_password: "not-my-password",
      new_password: "brand-new-password",
      confirm_password: "brand-new-password",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("Your current password is not correct");
    const mismatch = await here.submit("/settings/password", "/settings/password", {
      current_password: u.password,
      new_password: "brand-new-password",
      confirm_password: "brand-new-passwort",
    });
    expect(mismatch.status).toBe(400);
    const short = await here.submit("/settings/password", "/settings/password", {
      current_password: u.password,
      new_password: "short",
      confirm_password: "short",
    });
    expect(short.status).toBe(400);
    expect(short.html).toContain("at least 8 characters");
    expect(await status(elsewhere.cookieHeader)).toBe(200);

    const ok = await here.submit("/settings/password", "/settings/password", {
      current_password: u.password,
      new_password: "brand-new-password",
      confirm_password: "brand-new-password",
    });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain("1 other session was signed out");
    expect(ok.html).not.toContain("brand-new-password");
    expect(await status(elsewhere.cookieHeader)).toBe(401);
    expect(await status(here.cookieHeader)).toBe(200);
    // The old password no longer signs in; the new one does; the token is untouched.
    const old = new Browser(f.url);
    expect((await old.submit("/login", "/login", { login: "pavel", password: u.password })).status).toBe(401);
    await login("pavel", "brand-new-password");
    expect((await api(f.url, "GET", "/api/v1/user", { token: u.token })).status).toBe(200);
  });

  it("shows the account's security events in its security log, and they are in the audit log", async () => {
    const u = await userWithToken(f.url, "sara");
    const failed = new Browser(f.url);
    expect(
      (await failed.submit("/login", "/login", { login: "sara", password: "wrong-password" })).status,
    ).toBe(401);
    // Failures are recorded just after the answer.
    const failures = async () =>
      (
        await f.forge.db
          .selectFrom("audit_log")
          .select("id")
          .where("target_id", "=", u.user.id)
          .where("action", "=", "auth.sign_in_failed")
          .execute()
      ).length;
    await expect.poll(failures).toBe(1);
    const b = await login("sara", u.password);
    const other = await login("sara", u.password);
    await b.submit("/settings/devices", "/settings/devices/revoke-others", {});
    await b.submit("/settings/password", "/settings/password", {
      current_password: u.password,
      new_password: "another-password-1",
      confirm_password: "another-password-1",
    });
    expect(await status(other.cookieHeader)).toBe(401);
    const log = await b.get("/settings/security-log");
    expect(log.status).toBe(200);
    for (const text of [
      "Signed in",
      "Failed sign-in (wrong password)",
      "All other sessions signed out",
      "Password changed",
      "Access token created",
    ])
      expect(log.html, text).toContain(text);
    // Another user's events are not in it.
    const mine = await api(f.url, "GET", "/api/v1/user/security-events", { token: u.token });
    expect(mine.status).toBe(200);
    expect(mine.body.map((e: { action: string }) => e.action)).toEqual([
      "account.password_change",
      "session.revoke_others",
      "auth.sign_in",
      "auth.sign_in",
      "auth.sign_in_failed",
      "token.create",
    ]);
    const uma = await userWithToken(f.url, "uma");
    const theirs = await api(f.url, "GET", "/api/v1/user/security-events", { token: uma.token });
    expect(theirs.body.map((e: { action: string }) => e.action)).toEqual(["token.create"]);
    // In the audit log with actor, target and address (a failed sign-in has no actor).
    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "actor", "target", "ip"])
      .where("target_id", "=", u.user.id)
      .orderBy("id")
      .execute();
    expect(audit).toContainEqual({
      action: "auth.sign_in_failed",
      actor: "",
      target: "sara",
      ip: "127.0.0.1",
    });
    expect(audit).toContainEqual({
      action: "account.password_change",
      actor: "sara",
      target: "sara",
      ip: "127.0.0.1",
    });
    // An unknown account's failed sign-in records nothing about anyone (failures are recorded
    // after answering, so wait for a known account's failure made afterwards).
    const count = async () => (await f.forge.db.selectFrom("audit_log").select("id").execute()).length;
    const before = await count();
    await new Browser(f.url).submit("/login", "/login", { login: "nobody-here", password: "whatever-1" });
    await new Browser(f.url).submit("/login", "/login", { login: "sara", password: "whatever-1" });
    await expect.poll(count).toBe(before + 1);
    const newest = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "target"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(newest).toEqual({ action: "auth.sign_in_failed", target: "sara" });
  });

  it("sends visitors who are not signed in to the log-in page", async () => {
    for (const path of [
      "/settings/devices",
      "/settings/password",
      "/settings/security-log",
      "/settings/two-factor",
    ]) {
      const r = await new Browser(f.url).get(path);
      expect(r.status, path).toBe(303);
      expect(r.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });
});
