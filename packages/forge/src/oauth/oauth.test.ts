// Sign-in through providers end to end: a local provider speaking GitHub's and GitLab's OAuth
// endpoints and a real OpenID Connect server (oidc-provider), driven by HTTP like a browser.
// Sign-up asks for a handle; signing in again finds the account; equal addresses never merge
// accounts; a wrong or replayed state is refused; linking and unlinking from settings, never
// the last way to sign in; two-factor, suspension and closed registration still apply.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvite } from "../admin/registration.ts";
import { loadConfig } from "../config/config.ts";
import { createSecretBox } from "../crypto/secret-box.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { Authenticator } from "../two-factor/test-authenticator.ts";
import { startTestOidc, type TestOidc } from "./test-oidc.ts";
import {
  Agent,
  type FakeProvider,
  type Page,
  providerSettings,
  startFakeProvider,
} from "./test-providers.ts";

describe("sign-in through GitHub, GitLab and OpenID Connect", () => {
  let f: TestForge;
  let fake: FakeProvider;
  let oidc: TestOidc;
  beforeAll(async () => {
    fake = await startFakeProvider();
    oidc = await startTestOidc();
    f = await startTestForge({
      ...providerSettings(fake),
      MICELIO_OIDC_ISSUER: oidc.issuer,
      MICELIO_OIDC_CLIENT_ID: oidc.clientId,
      MICELIO_OIDC_CLIENT_SECRET: oidc.clientSecret,
      MICELIO_OIDC_NAME: "Acme SSO",
    });
    oidc.register(`${f.url}/auth/oidc/callback`);
  });
  afterAll(async () => {
    await f.close();
    await fake.close();
    await oidc.close();
  });

  const db = () => f.forge.db;
  const account = (handle: string) =>
    db().selectFrom("accounts").selectAll().where("handle", "=", handle).executeTakeFirstOrThrow();
  const identitiesOf = (userId: string) =>
    db()
      .selectFrom("user_identities")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("provider")
      .execute();
  const whoAmI = async (a: Agent) => {
    const r = await a.request(`${f.url}/api/v1/user`);
    return r.status === 200 ? (JSON.parse(r.html).handle as string) : null;
  };
  const signedInAs = async (a: Agent, handle: string) => {
    const r = await a.request(`${f.url}/api/v1/user`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.html).handle).toBe(handle);
  };
  const handleField = (p: Page) => /id="handle" name="handle" value="([^"]*)"/.exec(p.html)?.[1];
  const emailField = (p: Page) => /id="email" name="email" type="email" value="([^"]*)"/.exec(p.html)?.[1];

  /** Through the OIDC server's development login and consent pages back to the forge. */
  async function viaOidc(a: Agent, sub: string): Promise<Page> {
    let page = await a.go(`${f.url}/auth/oidc`);
    expect(page.url.startsWith(oidc.issuer)).toBe(true);
    page = await a.submit(page, /interaction/, { login: sub, password: "any" });
    if (page.url.startsWith(oidc.issuer)) page = await a.submit(page, /interaction/, {});
    return page;
  }

  it("shows a button for each configured provider only", async () => {
    const login = await new Agent().go(`${f.url}/login`);
    expect(login.html).toContain('href="/auth/github"');
    expect(login.html).toContain('href="/auth/gitlab"');
    expect(login.html).toContain("Acme SSO");
    const none = loadConfig({ MICELIO_GITHUB_CLIENT_ID: "x" });
    expect(none.oauth).toEqual({});
    expect(
      loadConfig({ MICELIO_GITLAB_CLIENT_ID: "a", MICELIO_GITLAB_CLIENT_SECRET: "b" }).oauth.gitlab?.url,
    ).toBe("https://gitlab.com");
    expect((await new Agent().request(`${f.url}/auth/bitbucket`)).status).toBe(404);
  });

  it("signs up through GitHub with a chosen handle, then signs in again to the same account", async () => {
    fake.signInAs("github", {
      id: 1001,
      login: "Octo_Cat",
      name: "Octo Cat",
      email: "same@example.test",
      verified: true,
    });
    const a = new Agent();
    const start = await a.request(`${f.url}/auth/github?next=/explore`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.origin + authorize.pathname).toBe(`${fake.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")?.length).toBeGreaterThan(30);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${f.url}/auth/github/callback`);
    const form = await a.go(start.location!);
    expect(form.url).toBe(`${f.url}/auth/signup`);
    expect(form.html).toContain("Signing up with GitHub as Octo_Cat");
    expect(handleField(form)).toBe("octo-cat");
    expect(emailField(form)).toBe("same@example.test");
    // A handle that is taken is refused; the form comes back.
    const taken = await a.submit(form, /\/auth\/signup/, { handle: "admin" });
    expect(taken.status).toBe(400);
    const done = await a.submit(taken, /\/auth\/signup/, { handle: "octo", email: "same@example.test" });
    expect(done.url).toBe(`${f.url}/explore`);
    await signedInAs(a, "octo");
    const octo = await account("octo");
    expect(octo.password_hash).toBeNull();
    expect(octo.email).toBe("same@example.test");
    expect(octo.email_verified_at).not.toBeNull(); // GitHub said it is verified
    const ids = await identitiesOf(octo.id);
    expect(ids.map((i) => [i.provider, i.provider_user_id, i.login])).toEqual([
      ["github", "1001", "Octo_Cat"],
    ]);

    const again = new Agent();
    const back = await again.go(`${f.url}/auth/github`);
    expect(back.url).toBe(`${f.url}/`);
    await signedInAs(again, "octo");
    const events = await db()
      .selectFrom("audit_log")
      .select(["action", "data"])
      .where("target_id", "=", octo.id)
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(["account.create", "identity.link", "auth.sign_in"]),
    );
    expect(events.filter((e) => e.action === "auth.sign_in").map((e) => e.data.method)).toEqual([
      "github",
      "github",
    ]);
    expect(fake.refused).toEqual([]);
  });

  it("never merges by email: a GitLab account with the same address becomes another account", async () => {
    fake.signInAs("gitlab", { id: 2002, login: "octo", email: "same@example.test", verified: true });
    const a = new Agent();
    const form = await a.go(`${f.url}/auth/gitlab`);
    expect(form.url).toBe(`${f.url}/auth/signup`);
    expect(handleField(form)).toBe("octo-2"); // "octo" is taken
    expect(emailField(form)).toBe(""); // the address belongs to someone else
    expect(form.html).toContain("never merged by address");
    // Giving the address anyway is refused, not merged.
    const refused = await a.submit(form, /\/auth\/signup/, { handle: "octo-gl", email: "SAME@example.test" });
    expect(refused.status).toBe(409);
    const done = await a.submit(refused, /\/auth\/signup/, { handle: "octo-gl", email: "" });
    expect(done.url).toBe(`${f.url}/`);
    await signedInAs(a, "octo-gl");
    const gl = await account("octo-gl");
    const octo = await account("octo");
    expect(gl.id).not.toBe(octo.id);
    expect(gl.email).toBeNull();
    expect((await identitiesOf(gl.id)).map((i) => i.provider)).toEqual(["gitlab"]);
    expect((await identitiesOf(octo.id)).map((i) => i.provider)).toEqual(["github"]);
  });

  it("refuses a callback with a wrong, missing or replayed state", async () => {
    fake.signInAs("github", { id: 1001, login: "Octo_Cat", email: "same@example.test", verified: true });
    const a = new Agent();
    const start = await a.request(`${f.url}/auth/github`);
    const atProvider = await a.request(start.location!);
    const callback = new URL(atProvider.location!);
    const code = callback.searchParams.get("code")!;
    const wrong = await a.request(`${f.url}/auth/github/callback?code=${code}&state=forged-state`);
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("Sign-in expired");
    // The flow is used up by the failed attempt: the right state no longer works either.
    const replay = await a.request(callback.toString());
    expect(replay.status).toBe(400);
    // A callback in a browser that never started a flow is refused too.
    const other = new Agent();
    const missing = await other.request(`${f.url}/auth/github/callback?code=${code}`);
    expect(missing.status).toBe(400);
    // A flow older than its 10 minutes is refused even with the right state.
    const late = new Agent();
    const begun = await late.request(`${f.url}/auth/github`);
    const lateCallback = (await late.request(begun.location!)).location!;
    await db()
      .updateTable("oauth_flows")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const expired = await late.request(lateCallback);
    expect(expired.status).toBe(400);
    expect(expired.html).toContain("took too long");
    expect(await whoAmI(a)).toBeNull();
    expect(await whoAmI(late)).toBeNull();
    expect(fake.refused).toEqual([]); // the forge never tried to use the code
  });

  it("signs up and in through OpenID Connect with a verified ID token; unverified address stays unverified", async () => {
    oidc.users.set("sso-42", {
      sub: "sso-42",
      email: "sso@example.test",
      email_verified: false,
      preferred_username: "sam",
    });
    const a = new Agent();
    const form = await viaOidc(a, "sso-42");
    expect(form.url).toBe(`${f.url}/auth/signup`);
    expect(form.html).toContain("Signing up with Acme SSO as sam");
    expect(handleField(form)).toBe("sam");
    expect(emailField(form)).toBe("sso@example.test");
    const done = await a.submit(form, /\/auth\/signup/, { handle: "sam", email: "sso@example.test" });
    expect(done.url).toBe(`${f.url}/`);
    const sam = await account("sam");
    expect(sam.email_verified_at).toBeNull();
    const ids = await identitiesOf(sam.id);
    expect(ids.map((i) => [i.provider, i.provider_user_id, i.issuer])).toEqual([
      ["oidc", "sso-42", oidc.issuer],
    ]);
    const mail = await db().selectFrom("jobs").select("payload").where("kind", "=", "mail.send").execute();
    expect(JSON.stringify(mail)).toContain("sso@example.test");

    const again = new Agent();
    const back = await viaOidc(again, "sso-42");
    expect(back.url).toBe(`${f.url}/`);
    await signedInAs(again, "sam");
  });

  it("links a second provider from settings, unlinks it, and never unlinks the last way to sign in", async () => {
    fake.signInAs("github", { id: 1001, login: "Octo_Cat", email: "same@example.test", verified: true });
    const a = new Agent();
    await a.go(`${f.url}/auth/github`);
    await signedInAs(a, "octo");
    let settings = await a.go(`${f.url}/settings/linked-accounts`);
    expect(settings.html).toContain("Your only way to sign in");
    expect(settings.html).toContain('href="/auth/gitlab?next=%2Fsettings%2Flinked-accounts"');
    const octo = await account("octo");
    const [github] = await identitiesOf(octo.id);
    // The only way to sign in cannot be unlinked, even by posting the form directly.
    const refused = await a.go(`${f.url}/settings/linked-accounts/${github.id}/unlink`, {
      form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(settings.html)![1] },
    });
    expect(refused.status).toBe(409);
    expect(refused.html).toContain("only way to sign in");

    // A GitLab account already linked to someone else (octo-gl) is refused.
    fake.signInAs("gitlab", { id: 2002, login: "octo", email: "same@example.test" });
    const taken = await a.go(`${f.url}/auth/gitlab?next=/settings/linked-accounts`);
    expect(taken.status).toBe(409);
    expect(taken.html).toContain("linked to another Micelio account");

    fake.signInAs("gitlab", { id: 3003, login: "octo-work", email: "work@example.test" });
    settings = await a.go(`${f.url}/auth/gitlab?next=/settings/linked-accounts`);
    expect(settings.url).toBe(`${f.url}/settings/linked-accounts?linked=gitlab`);
    expect(settings.html).toContain("GitLab account linked.");
    expect(settings.html).toContain("octo-work");
    expect((await identitiesOf(octo.id)).map((i) => i.provider)).toEqual(["github", "gitlab"]);
    // The linked GitLab account now signs in as octo.
    const elsewhere = new Agent();
    await elsewhere.go(`${f.url}/auth/gitlab`);
    await signedInAs(elsewhere, "octo");

    const gitlab = (await identitiesOf(octo.id)).find((i) => i.provider === "gitlab")!;
    settings = await a.submit(settings, new RegExp(`/${gitlab.id}/unlink`), {});
    expect(settings.status).toBe(200);
    expect(settings.html).toContain("Account unlinked.");
    expect((await identitiesOf(octo.id)).map((i) => i.provider)).toEqual(["github"]);
    const actions = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", octo.id)
      .where("action", "in", ["identity.link", "identity.unlink"])
      .execute();
    expect(actions.map((x) => x.action).sort()).toEqual([
      "identity.link",
      "identity.link",
      "identity.unlink",
    ]);
    const log = await a.go(`${f.url}/settings/security-log`);
    expect(log.html).toContain("Account at another service unlinked");
  });

  it("lets an account without a password set one after a fresh sign-in, then unlink its provider", async () => {
    fake.signInAs("gitlab", { id: 2002, login: "octo", email: "same@example.test" });
    const stale = new Agent();
    await stale.go(`${f.url}/auth/gitlab`);
    await signedInAs(stale, "octo-gl");
    const gl = await account("octo-gl");
    await db()
      .updateTable("web_sessions")
      .set({ created_at: new Date(Date.now() - 3_600_000) })
      .where("user_id", "=", gl.id)
      .execute();
    const page = await stale.go(`${f.url}/settings/password`);
    expect(page.html).toContain("Set a password");
    const late = await stale.submit(page, /\/settings\/password/, {
      new_password: "octo-gl-password",
      confirm_password: "octo-gl-password",
    });
    expect(late.status).toBe(400);
    expect(late.html).toContain("sign in again");

    const a = new Agent();
    await a.go(`${f.url}/auth/gitlab`);
    const set = await a.submit(await a.go(`${f.url}/settings/password`), /\/settings\/password/, {
      new_password: "octo-gl-password",
      confirm_password: "octo-gl-password",
    });
    expect(set.status).toBe(200);
    expect(set.html).toContain("Password changed.");
    const settings = await a.go(`${f.url}/settings/linked-accounts`);
    const done = await a.submit(settings, /\/unlink$/, {});
    expect(done.html).toContain("Account unlinked.");
    expect(await identitiesOf(gl.id)).toEqual([]);
    const b = new Agent();
    const login = await b.submit(await b.go(`${f.url}/login`), /^\/login$/, {
      login: "octo-gl",
      password: "octo-gl-password",
    });
    expect(login.url).toBe(`${f.url}/`);
    await signedInAs(b, "octo-gl");
  });

  it("keeps the second step for two-factor accounts and refuses suspended ones", async () => {
    fake.signInAs("gitlab", { id: 4004, login: "tfa", email: null });
    const a = new Agent();
    const form = await a.go(`${f.url}/auth/gitlab`);
    await a.submit(form, /\/auth\/signup/, { handle: "tfa" });
    const tfa = await account("tfa");
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    await db().insertInto("user_totp").values({ user_id: tfa.id, secret, enabled_at: new Date() }).execute();
    const b = new Agent();
    const step = await b.go(`${f.url}/auth/gitlab`);
    expect(step.url).toBe(`${f.url}/login/two-factor`);
    expect(await whoAmI(b)).toBeNull();
    const done = await b.submit(step, /\/login\/two-factor/, {
      code: await new Authenticator(secret).next(),
    });
    expect(done.url).toBe(`${f.url}/`);
    await signedInAs(b, "tfa");
    const last = await db()
      .selectFrom("audit_log")
      .select("data")
      .where("target_id", "=", tfa.id)
      .where("action", "=", "auth.sign_in")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(last.data.method).toBe("gitlab+totp");

    await db().updateTable("accounts").set({ suspended_at: new Date() }).where("id", "=", tfa.id).execute();
    const c = new Agent();
    const suspended = await c.go(`${f.url}/auth/gitlab`);
    expect(suspended.status).toBe(403);
    expect(suspended.html).toContain("suspended");
    expect(await whoAmI(c)).toBeNull();
  });

  it("keeps a flow's PKCE verifier and invite sealed in the database", async () => {
    const started = await fetch(`${f.url}/auth/gitlab?invite=invite-token-123`, { redirect: "manual" });
    expect(started.status).toBe(302);
    const authorize = new URL(started.headers.get("location")!);
    const challenge = authorize.searchParams.get("code_challenge");
    expect(challenge).toBeTruthy();
    const row = await db()
      .selectFrom("oauth_flows")
      .select(["id", "code_verifier", "invite"])
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    for (const value of [row.code_verifier, row.invite])
      expect(value).toMatch(new RegExp(`^enc:v1:${f.forge.secrets.keyId}:`));
    expect(f.forge.secrets.open(row.invite!)).toBe("invite-token-123");
    // The sealed verifier is the one behind the challenge sent to the provider.
    const verifier = f.forge.secrets.open(row.code_verifier);
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(challenge);
    // Sealed with another key (the forge's key changed mid-flow): the callback says to start again.
    await db()
      .updateTable("oauth_flows")
      .set({ code_verifier: createSecretBox(randomBytes(32)).seal(verifier) })
      .where("id", "=", row.id)
      .execute();
    const cookie = started.headers
      .getSetCookie()
      .find((c) => c.startsWith("mc_oauth="))!
      .split(";")[0];
    const state = authorize.searchParams.get("state")!;
    const back = await fetch(`${f.url}/auth/gitlab/callback?state=${state}&code=abc`, {
      headers: { cookie },
    });
    expect(back.status).toBe(400);
    expect(await back.text()).toContain("Sign-in expired");
  });

  it("applies the registration mode to sign-up through a provider", async () => {
    await db().insertInto("instance_settings").values({ key: "registration", value: "closed" }).execute();
    try {
      fake.signInAs("github", { id: 5005, login: "late", email: "late@example.test" });
      const a = new Agent();
      const closed = await a.go(`${f.url}/auth/github`);
      expect(closed.status).toBe(403);
      expect(closed.html).toContain("Sign-up is closed");
      // Existing identities still sign in.
      fake.signInAs("github", { id: 1001, login: "Octo_Cat", email: "same@example.test" });
      await a.go(`${f.url}/auth/github`);
      await signedInAs(a, "octo");
      // Invite-only: the invitation link's provider buttons carry the invite, used once.
      await db()
        .updateTable("instance_settings")
        .set({ value: "invite-only" })
        .where("key", "=", "registration")
        .execute();
      const { token } = await createInvite(db(), { user: null, scopes: [], ip: "" }, {});
      const signup = await new Agent().go(`${f.url}/signup?invite=${token}`);
      expect(signup.html).toContain(`href="/auth/github?invite=${token}"`);
      fake.signInAs("github", { id: 5006, login: "invited", email: null });
      const b = new Agent();
      const form = await b.go(`${f.url}/auth/github?invite=${token}`);
      expect(form.url).toBe(`${f.url}/auth/signup`);
      // The pending sign-up keeps the invite sealed, not as a token anyone reading the table could use.
      const pendingRows = await db().selectFrom("oauth_signups").select("invite").execute();
      expect(JSON.stringify(pendingRows)).not.toContain(token);
      expect(pendingRows.some((r) => r.invite?.startsWith(`enc:v1:${f.forge.secrets.keyId}:`))).toBe(true);
      const done = await b.submit(form, /\/auth\/signup/, { handle: "invited" });
      expect(done.url).toBe(`${f.url}/`);
      await signedInAs(b, "invited");
      fake.signInAs("github", { id: 5007, login: "second", email: null });
      const reused = await new Agent().go(`${f.url}/auth/github?invite=${token}`);
      expect(reused.status).toBe(403);
      expect(reused.html).toContain("Sign-up is by invitation");
    } finally {
      await db().deleteFrom("instance_settings").where("key", "=", "registration").execute();
    }
  });
});
