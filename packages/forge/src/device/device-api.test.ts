// Device login over HTTP: the whole flow, single use, denial, expiry, slow_down, wrong
// codes, anonymous and token approval refused, grants capped by the account, the code-entry
// rate limit, and the audit trail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("device login API", () => {
  let f: TestForge;
  let alice: Awaited<ReturnType<typeof userWithToken>>;
  const start = (json: unknown = { client_name: "mic on laptop" }) =>
    api(f.url, "POST", "/api/v1/device/code", { json });
  const poll = (device_code: string) => api(f.url, "POST", "/api/v1/device/token", { json: { device_code } });
  const decide = (
    action: "approve" | "deny",
    user_code: string,
    who?: { handle: string; password: string },
  ) =>
    api(f.url, "POST", `/api/v1/device/${action}`, {
      basic: who ? [who.handle, who.password] : undefined,
      json: { user_code },
    });
  /** Moves a pending authorization's last poll back, as if the interval had passed. */
  const waitedInterval = (user_code: string) =>
    f.forge.db
      .updateTable("device_authorizations")
      .set({ last_polled_at: new Date(Date.now() - 60_000) })
      .where("user_code", "=", user_code.replace("-", ""))
      .execute();

  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
  });
  afterAll(() => f.close());

  it("issues a code pair, stays pending until approved, then gives a working token exactly once", async () => {
    const code = await start();
    expect(code.status).toBe(200);
    expect(code.body).toMatchObject({
      user_code: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      verification_uri: `${f.url}/device`,
      expires_in: 900,
      interval: 5,
    });
    expect(code.body.verification_uri_complete).toBe(`${f.url}/device?code=${code.body.user_code}`);
    const stored = await f.forge.db.selectFrom("device_authorizations").selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(code.body.device_code);

    const pending = await poll(code.body.device_code);
    expect(pending.status).toBe(400);
    expect(pending.headers.get("content-type")).toContain("application/problem+json");
    expect(pending.body).toMatchObject({ error: "authorization_pending", interval: 5 });

    const approved = await decide("approve", code.body.user_code.toLowerCase(), alice);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      client_name: "mic on laptop",
      status: "approved",
      scopes: ["project:read", "project:write", "session:write"],
    });

    const got = await poll(code.body.device_code);
    expect(got.status).toBe(200);
    expect(got.headers.get("cache-control")).toBe("no-store");
    expect(got.body).toMatchObject({
      token_type: "bearer",
      handle: "alice",
      scopes: ["project:read", "project:write", "session:write"],
    });
    const me = await api(f.url, "GET", "/api/v1/user", { token: got.body.access_token });
    expect(me.body.handle).toBe("alice");
    const tokens = await api(f.url, "GET", "/api/v1/tokens", { basic: ["alice", alice.password] });
    expect(tokens.body.map((t: { name: string }) => t.name)).toContain("mic device login (mic on laptop)");

    const again = await poll(code.body.device_code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_grant");
    const reuse = await decide("approve", code.body.user_code, alice);
    expect(reuse.status).toBe(404);

    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select(["action", "actor", "target"])
      .where("action", "in", ["device.approve", "token.create"])
      .orderBy("id")
      .execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: "device.approve", actor: "alice", target: "mic on laptop" },
        { action: "token.create", actor: "alice", target: "mic device login (mic on laptop)" },
      ]),
    );
  });

  it("asks a client that polls faster than the interval to slow down, and lengthens the interval", async () => {
    const code = await start({});
    expect((await poll(code.body.device_code)).body.error).toBe("authorization_pending");
    const fast = await poll(code.body.device_code);
    expect(fast.status).toBe(400);
    expect(fast.body).toMatchObject({ error: "slow_down", interval: 10 });
    await waitedInterval(code.body.user_code);
    expect((await poll(code.body.device_code)).body).toMatchObject({
      error: "authorization_pending",
      interval: 10,
    });
  });

  it("denial ends the login with access_denied and is audited", async () => {
    const code = await start({ client_name: "ci box" });
    const denied = await decide("deny", code.body.user_code, alice);
    expect(denied.status).toBe(200);
    expect(denied.body.status).toBe("denied");
    const r = await poll(code.body.device_code);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("access_denied");
    expect((await decide("approve", code.body.user_code, alice)).status).toBe(404);
    const entry = await f.forge.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "device.deny")
      .executeTakeFirst();
    expect(entry).toMatchObject({ actor: "alice", target: "ci box" });
  });

  it("expired codes can be neither approved nor exchanged", async () => {
    const code = await start();
    await decide("approve", code.body.user_code, alice);
    await f.forge.db
      .updateTable("device_authorizations")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_code", "=", code.body.user_code.replace("-", ""))
      .execute();
    expect((await poll(code.body.device_code)).body.error).toBe("expired_token");
    const later = await start();
    await f.forge.db
      .updateTable("device_authorizations")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_code", "=", later.body.user_code.replace("-", ""))
      .execute();
    expect((await decide("approve", later.body.user_code, alice)).status).toBe(404);
    expect((await poll(later.body.device_code)).body.error).toBe("expired_token");
  });

  it("refuses anonymous approval, unknown codes and device codes, and bad input with 4xx", async () => {
    const code = await start();
    const anon = await decide("approve", code.body.user_code);
    expect(anon.status).toBe(401);
    expect((await poll(code.body.device_code)).body.error).toBe("authorization_pending");
    expect((await decide("approve", "BBBB-BBBB", alice)).status).toBe(404);
    expect((await decide("approve", "not a code", alice)).status).toBe(404);
    expect((await poll("no-such-device-code")).body.error).toBe("invalid_grant");
    expect((await start({ scopes: ["everything"] })).status).toBe(400);
    expect((await start({ client_name: "x".repeat(61) })).status).toBe(400);
    expect((await start({ client_name: "bad\u0007bell" })).status).toBe(400);
    expect((await api(f.url, "POST", "/api/v1/device/token", { json: {} })).status).toBe(400);
    const bare = await api(f.url, "POST", "/api/v1/device/code");
    expect(bare.status).toBe(200);
    expect(bare.body.user_code).toMatch(/^\w{4}-\w{4}$/);
  });

  it("refuses approval with a token (tokens do not mint tokens); grants only what the account may hold", async () => {
    const code = await start({ scopes: ["project:read"] });
    const withToken = await api(f.url, "POST", "/api/v1/device/approve", {
      token: alice.token,
      json: { user_code: code.body.user_code },
    });
    expect(withToken.status).toBe(403);
    expect(withToken.body.detail).toMatch(/password/);
    expect((await decide("approve", code.body.user_code, alice)).status).toBe(200);
    expect((await poll(code.body.device_code)).body.scopes).toEqual(["project:read"]);

    // alice, the first account, administers the instance; bob does not.
    const bob = await userWithToken(f.url, "bob");
    const admin = await start({ scopes: ["admin", "project:read"] });
    expect((await decide("approve", admin.body.user_code, bob)).body.scopes).toEqual(["project:read"]);
    const adminOnly = await start({ scopes: ["admin"] });
    expect((await decide("approve", adminOnly.body.user_code, bob)).status).toBe(403);
    const forAlice = await start({ scopes: ["admin"] });
    expect((await decide("approve", forAlice.body.user_code, alice)).body.scopes).toEqual(["admin"]);
  });

  it("limits how many codes one account can enter per minute", async () => {
    const mallory = await userWithToken(f.url, "mallory");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await decide("approve", "BBBB-BBBB", mallory)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses[10]).toBe(429);
    const code = await start();
    const blocked = await decide("approve", code.body.user_code, mallory);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
