// Passkeys through the real forms on a real forge, with a software authenticator: adding,
// renaming and removing (another user's is 404), signing in without a password, the second
// step of two-factor sign-in, and refusals (a wrong or replayed challenge, an unknown
// credential, another user's passkey at the second step, no user verification, a clone with
// a lower counter, a suspended account), with security events and audit entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { countPasskeys } from "./passkey-store.ts";
import { SoftPasskey } from "./test-passkey.ts";

describe("passkeys", () => {
  let f: TestForge;
  const users: Record<string, { id: string; password: string }> = {};
  const keys: Record<string, SoftPasskey> = {};
  beforeAll(async () => {
    f = await startTestForge();
    for (const handle of ["pia", "quinn"]) {
      const u = await userWithToken(f.url, handle);
      users[handle] = { id: u.user.id, password: u.password };
    }
  });
  afterAll(() => f.close());

  const use = {
    get origin() {
      return f.url;
    },
  };
  const whoAmI = async (b: Browser) =>
    (await fetch(`${f.url}/api/v1/user`, { headers: { cookie: b.cookieHeader } })).json() as Promise<{
      handle: string;
    }>;
  const signedIn = async (handle: string) => {
    const b = new Browser(f.url);
    const r = await b.submit("/login", "/login", { login: handle, password: users[handle].password });
    expect(r.location).toBe("/");
    return b;
  };
  const events = (userId: string, action: string) =>
    f.forge.db
      .selectFrom("audit_log")
      .select(["data", "actor"])
      .where("target_id", "=", userId)
      .where("action", "=", action)
      .orderBy("id", "desc")
      .execute();
  const options = async (b: Browser, from: string, action: string, fields: Record<string, string> = {}) => {
    const r = await b.submit(from, action, fields);
    return { status: r.status, body: JSON.parse(r.html) };
  };
  /** Asks for sign-in options and answers them with `key` (or tampers first). */
  async function passkeySignIn(
    b: Browser,
    key: SoftPasskey,
    tamper: { challenge?: string; verified?: boolean } = {},
  ) {
    const o = await options(b, "/login", "/login/passkey/options");
    expect(o.status).toBe(200);
    const credential = JSON.stringify(key.get(o.body.options, { origin: f.url, ...tamper }));
    return {
      credential,
      ...(await b.submit("/login", "/login/passkey", { credential, next: "/settings/devices" })),
    };
  }

  it("adds passkeys after the password, named, with their counter, transports and user handle", async () => {
    for (const handle of ["pia", "quinn"]) {
      const b = await signedIn(handle);
      const empty = await b.get("/settings/passkeys");
      expect(empty.html).toContain("No passkeys yet.");
      expect(empty.html).toContain('id="passkey-add"');
      const wrong = await options(b, "/settings/passkeys", "/settings/passkeys/options", {
        name: "Laptop",
        password: "nope-nope",
      });
      expect(wrong).toEqual({ status: 400, body: { error: "Your password is not correct" } });
      const o = await options(b, "/settings/passkeys", "/settings/passkeys/options", {
        name: `${handle}'s laptop`,
        password: users[handle].password,
      });
      expect(o.status).toBe(200);
      expect(o.body.options.rp).toEqual({ name: "Micelio", id: "127.0.0.1" });
      expect(o.body.options.authenticatorSelection.residentKey).toBe("required");
      keys[handle] = new SoftPasskey();
      const credential = JSON.stringify(keys[handle].create(o.body.options, use));
      const added = await b.submit("/settings/passkeys", "/settings/passkeys", { credential });
      expect(added.status).toBe(200);
      expect(added.html).toContain(`Passkey &quot;${handle}&#39;s laptop&quot; added.`);
      // The same response again: its challenge is spent.
      const again = await b.submit("/settings/passkeys", "/settings/passkeys", { credential });
      expect(again.status).toBe(400);
      expect(again.html).toContain("expired or was already used");
    }
    const row = await f.forge.db
      .selectFrom("passkeys")
      .selectAll()
      .where("user_id", "=", users.pia.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: "pia's laptop",
      credential_id: keys.pia.id,
      transports: ["internal"],
      user_handle: keys.pia.userHandle,
    });
    expect(Number(row.counter)).toBe(0);
    expect(await countPasskeys(f.forge.db, users.pia.id)).toBe(1);
    expect((await events(users.pia.id, "passkey.add"))[0]).toMatchObject({
      actor: "pia",
      data: { passkey: "pia's laptop" },
    });
  });

  it("refuses a registration answered for another origin or challenge", async () => {
    const b = await signedIn("pia");
    for (const tamper of [{ origin: "http://evil.test" }, { origin: f.url, challenge: "AAAA" }]) {
      const o = await options(b, "/settings/passkeys", "/settings/passkeys/options", {
        name: "Bad",
        password: users.pia.password,
      });
      const credential = JSON.stringify(new SoftPasskey().create(o.body.options, tamper));
      const r = await b.submit("/settings/passkeys", "/settings/passkeys", { credential });
      expect(r.status).toBe(400);
      expect(r.html).toContain("could not be verified");
    }
    expect(await countPasskeys(f.forge.db, users.pia.id)).toBe(1);
  });

  it("signs in with a passkey alone (usernameless), recorded in the security log", async () => {
    const b = new Browser(f.url);
    const o = await options(b, "/login", "/login/passkey/options");
    expect(o.body.options.userVerification).toBe("required");
    expect(o.body.options.allowCredentials).toBeUndefined();
    const r = await passkeySignIn(b, keys.pia);
    expect(r.status).toBe(303);
    expect(r.location).toBe("/settings/devices");
    expect((await whoAmI(b)).handle).toBe("pia");
    expect((await b.get("/settings/devices")).html).toContain("with passkey");
    expect((await b.get("/settings/passkeys")).html).not.toContain("last used never");
    expect((await events(users.pia.id, "auth.sign_in"))[0].data).toEqual({
      method: "passkey",
      passkey: "pia's laptop",
    });

    // Replayed: the same response again, with or without a fresh challenge.
    const anon = new Browser(f.url);
    const replay = await anon.submit("/login", "/login/passkey", { credential: r.credential });
    expect(replay.status).toBe(401);
    expect(replay.html).toContain("expired or was already used");
    await options(anon, "/login", "/login/passkey/options");
    const replay2 = await anon.submit("/login", "/login/passkey", { credential: r.credential });
    expect(replay2.status).toBe(401);
    expect(replay2.html).toContain("That passkey was not accepted.");
  });

  it("refuses a wrong challenge (and spends the right one), an unknown passkey, no user verification, a clone", async () => {
    const b = new Browser(f.url);
    const wrong = await passkeySignIn(b, keys.pia, { challenge: "c29tZXRoaW5nIGVsc2U" });
    expect(wrong.status).toBe(401);
    const retry = await b.submit("/login", "/login/passkey", {
      credential: JSON.stringify(keys.pia.get({ challenge: "x", rpId: "127.0.0.1" }, use)),
    });
    expect(retry.html).toContain("expired or was already used");
    expect((await passkeySignIn(b, new SoftPasskey())).status).toBe(401);
    expect((await passkeySignIn(b, keys.pia, { verified: false })).status).toBe(401);
    const clone = keys.pia.clone();
    expect((await passkeySignIn(b, keys.pia)).status).toBe(303);
    const cloned = await passkeySignIn(new Browser(f.url), clone);
    expect(cloned.status).toBe(401);
    const reasons = (await events(users.pia.id, "auth.passkey_failed")).map((e) => e.data.reason);
    expect(reasons.slice(0, 3)).toEqual(["counter", "invalid", "invalid"]);
    expect((await new Browser(f.url).get("/")).status).toBe(200);
  });

  it("lets only the owner rename or remove a passkey, removal needing the password", async () => {
    const quinnKey = await f.forge.db
      .selectFrom("passkeys")
      .select("id")
      .where("user_id", "=", users.quinn.id)
      .executeTakeFirstOrThrow();
    const pia = await signedIn("pia");
    for (const action of ["rename", "remove"]) {
      const r = await pia.submit("/settings/passkeys", `/settings/passkeys/${quinnKey.id}/${action}`, {
        name: "mine",
        password: users.pia.password,
      });
      expect(r.status).toBe(404);
    }
    expect(await countPasskeys(f.forge.db, users.quinn.id)).toBe(1);
    const quinn = await signedIn("quinn");
    const renamed = await quinn.submit("/settings/passkeys", `/settings/passkeys/${quinnKey.id}/rename`, {
      name: "Phone",
    });
    expect(renamed.html).toContain('<strong class="passkey-name">Phone</strong>');
    const bad = await quinn.submit("/settings/passkeys", `/settings/passkeys/${quinnKey.id}/remove`, {
      password: "wrong-one",
    });
    expect(bad.status).toBe(400);
    expect(await countPasskeys(f.forge.db, users.quinn.id)).toBe(1);
    const ok = await quinn.submit("/settings/passkeys", `/settings/passkeys/${quinnKey.id}/remove`, {
      password: users.quinn.password,
    });
    expect(ok.html).toContain("Passkey removed.");
    expect(await countPasskeys(f.forge.db, users.quinn.id)).toBe(0);
    expect((await events(users.quinn.id, "passkey.remove"))[0].data).toEqual({ passkey: "Phone" });
    expect((await quinn.get("/settings/security-log")).html).toContain("Passkey removed");
    expect((await passkeySignIn(new Browser(f.url), keys.quinn)).status).toBe(401);
  });

  it("is the second step for an account with two-factor on, only with that account's passkey", async () => {
    await f.forge.db
      .insertInto("user_totp")
      .values({ user_id: users.pia.id, secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", enabled_at: new Date() })
      .execute();
    const b = new Browser(f.url);
    const login = await b.submit("/login?next=/settings/devices", "/login", {
      login: "pia",
      password: users.pia.password,
      next: "/settings/devices",
    });
    expect(login.location).toBe("/login/two-factor");
    expect((await b.get("/login/two-factor")).html).toContain('id="passkey-step"');
    const stepOptions = () => options(b, "/login/two-factor", "/login/two-factor/passkey/options");
    const o = await stepOptions();
    expect(o.body.options.allowCredentials).toEqual([
      { id: keys.pia.id, type: "public-key", transports: ["internal"] },
    ]);
    // Quinn's passkey (re-registered for the test) is not Pia's second factor.
    const other = new SoftPasskey();
    await f.forge.db
      .insertInto("passkeys")
      .values({
        id: "other",
        user_id: users.quinn.id,
        name: "q",
        credential_id: other.id,
        public_key: new Uint8Array([1]),
        counter: 0,
        user_handle: "q",
      })
      .execute();
    const refused = await b.submit("/login/two-factor", "/login/two-factor/passkey", {
      credential: JSON.stringify(other.get(o.body.options, use)),
    });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain("That passkey was not accepted.");
    const o2 = await stepOptions();
    const ok = await b.submit("/login/two-factor", "/login/two-factor/passkey", {
      credential: JSON.stringify(keys.pia.get(o2.body.options, use)),
    });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe("/settings/devices");
    expect((await b.get("/settings/devices")).html).toContain("password and passkey");
    // Without a pending password step there are no options.
    expect((await options(new Browser(f.url), "/login", "/login/two-factor/passkey/options")).status).toBe(
      401,
    );
  });

  it("refuses a suspended account", async () => {
    await f.forge.db
      .updateTable("accounts")
      .set({ suspended_at: new Date() })
      .where("id", "=", users.pia.id)
      .execute();
    const r = await passkeySignIn(new Browser(f.url), keys.pia);
    expect(r.status).toBe(403);
    expect(r.html).toContain("suspended");
  });
});
