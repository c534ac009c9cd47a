// Verification-first sign-up does not tell through the handle whether an address was
// registered: signing up handle X with a new address (a pending account) and handle Y with a
// registered one (no account; Y is reserved instead) leaves X and Y alike to everyone but
// administrators: both taken (409, the same body) for sign-up and organizations, both
// unknown (404) as profiles, in the API, in search, to follow, to add to an organization.
// The hourly clean-up frees both once the verification link has expired, and audits it.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmtpSink, settledUserWithToken, startSmtpSink } from "../mail/test-smtp.ts";
import { localObjectStore } from "../objects/object-store.ts";
import { MAINTENANCE_JOB, maintenanceHandlers } from "../ops/maintenance.ts";
import { api, Browser } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("handles of verification-first sign-ups", () => {
  let forge: TestForge;
  let smtp: SmtpSink;
  let admin: string;
  let other: Awaited<ReturnType<typeof settledUserWithToken>>;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    forge = await startTestForge({ SMTP_URL: smtp.url });
    const first = await api(forge.url, "POST", "/api/v1/signup", {
      json: { handle: "owner", email: "owner@example.test", password: "pw-owner-secret" },
    });
    expect(first.status).toBe(201);
    const tok = await api(forge.url, "POST", "/api/v1/tokens", {
      basic: ["owner", "pw-owner-secret"],
      json: { name: "admin", scopes: ["admin"] },
    });
    admin = tok.body.token;
    other = await settledUserWithToken(forge, "other", ["project:read", "user", "org:admin"]);
    browser = new Browser(forge.url);
    expect(
      (await browser.submit("/login", "/login", { login: "other", password: other.password })).status,
    ).toBe(303);
    expect(
      (await api(forge.url, "POST", "/api/v1/orgs", { token: other.token, json: { handle: "crew" } })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await forge?.close();
    await smtp?.close();
  });

  const signup = (handle: string, email: string) =>
    api(forge.url, "POST", "/api/v1/signup", { json: { handle, email, password: `pw-${handle}-secret` } });
  /** What everyone but an administrator sees of a handle, with the handle itself blanked. */
  const lookups = async (handle: string) => {
    const blank = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(handle, "HANDLE"));
    const anon = await api(forge.url, "GET", `/api/v1/users/${handle}`);
    const signedIn = await api(forge.url, "GET", `/api/v1/users/${handle}`, { token: other.token });
    const search = await api(forge.url, "GET", `/api/v1/search/users?q=${handle}`, { token: other.token });
    const follow = await api(forge.url, "PUT", `/api/v1/user/following/${handle}`, { token: other.token });
    const member = await api(forge.url, "PUT", `/api/v1/orgs/crew/members/${handle}`, {
      token: other.token,
      json: { role: "member" },
    });
    return {
      api: [anon.status, blank(anon.body), signedIn.status, blank(signedIn.body)],
      search: search.body.items,
      follow: [follow.status, blank(follow.body)],
      member: [member.status, blank(member.body)],
      web: [
        (await fetch(`${forge.url}/${handle}`)).status,
        (await browser.get(`/${handle}`)).status,
        (await fetch(`${forge.url}/users/${handle}/avatar`)).status,
        (await browser.get(`/users/${handle}/followers`)).status,
      ],
    };
  };
  /** The lookups, and whether the handle is free for an organization and for a sign-up. */
  const seen = async (handle: string) => {
    const org = await api(forge.url, "POST", "/api/v1/orgs", { token: other.token, json: { handle } });
    const again = await signup(handle, `again-${handle}@example.test`);
    return { ...(await lookups(handle)), org: [org.status, org.body], signup: [again.status, again.body] };
  };

  it("shows a pending account's handle and a reserved one alike, as taken and unknown", async () => {
    expect((await signup("probe-new", "fresh@example.test")).status).toBe(202);
    expect((await signup("probe-old", "owner@example.test")).status).toBe(202);
    await smtp.next("owner@example.test", /sign up/i);
    await smtp.next("fresh@example.test", /Verify your email/);

    const pending = await seen("probe-new");
    const reserved = await seen("probe-old");
    expect(pending.signup[0]).toBe(409);
    expect(pending.org[0]).toBe(409);
    expect(pending.api[0]).toBe(404);
    expect(pending.api[2]).toBe(404);
    expect(pending.search).toEqual([]);
    expect(pending.web).toEqual([404, 404, 404, 404]);
    expect(reserved).toEqual(pending);
    // A handle nobody holds is answered as unknown the same way.
    const { search: _, ...nobody } = await lookups("probe-none");
    const { search: __, org: ___, signup: ____, ...others } = pending;
    expect(nobody).toEqual(others);

    // Administrators still see the pending account.
    expect((await api(forge.url, "GET", "/api/v1/users/probe-new", { token: admin })).status).toBe(200);
  });

  it("frees both handles once the verification link has expired, and audits it", async () => {
    const run = async () => {
      const objects = localObjectStore(join(forge.dataDir, "objects"));
      const job = maintenanceHandlers(forge.forge.db, forge.dataDir, objects)[MAINTENANCE_JOB]!;
      await job({}, { job: {} as never, attempt: 1, signal: new AbortController().signal });
    };
    // Before expiry the clean-up keeps both.
    await run();
    expect((await signup("probe-new", "x1@example.test")).status).toBe(409);
    expect((await signup("probe-old", "x2@example.test")).status).toBe(409);

    const past = new Date(Date.now() - 25 * 3_600_000);
    await forge.forge.db
      .updateTable("accounts")
      .set({ created_at: past })
      .where("handle", "=", "probe-new")
      .execute();
    await forge.forge.db.updateTable("handle_reservations").set({ expires_at: past }).execute();
    await run();

    const audit = await forge.forge.db
      .selectFrom("audit_log")
      .select(["target", "target_type"])
      .where("action", "=", "account.signup_expire")
      .orderBy("target")
      .execute();
    expect(audit).toEqual([
      { target: "probe-new", target_type: "account" },
      { target: "probe-old", target_type: "handle" },
    ]);
    const n = await api(forge.url, "GET", "/api/v1/users/probe-new", { token: admin });
    expect(n.status).toBe(404);
    expect((await signup("probe-new", "later-new@example.test")).status).toBe(202);
    expect((await signup("probe-old", "later-old@example.test")).status).toBe(202);
    // The verified and the older accounts stay.
    expect((await api(forge.url, "GET", "/api/v1/users/other")).status).toBe(200);
    expect((await api(forge.url, "GET", "/api/v1/users/owner")).status).toBe(200);
  });
});
