import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postRaw } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("accounts and tokens over the API", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  it("signs up; the first account is the administrator, the second is not", async () => {
    const a = await api(f.url, "POST", "/api/v1/signup", {
      json: { handle: "Alice", email: "alice@example.test", password: "correct horse" },
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ handle: "Alice", is_admin: true, email: "alice@example.test" });
    const b = await api(f.url, "POST", "/api/v1/signup", {
      json: { handle: "bob", email: "bob@example.test", password: "battery staple" },
    });
    expect(b.status).toBe(201);
    expect(b.body.is_admin).toBe(false);
  });

  it("refuses duplicate handles case-insensitively and reserved handles", async () => {
    const dup = await api(f.url, "POST", "/api/v1/signup", {
      json: { handle: "ALICE", email: "other@example.test", password: "xxxxxxxx" },
    });
    expect(dup.status).toBe(409);
    expect(dup.headers.get("content-type")).toContain("application/problem+json");
    const dupEmail = await api(f.url, "POST", "/api/v1/signup", {
      json: { handle: "alice2", email: "ALICE@example.test", password: "xxxxxxxx" },
    });
    expect(dupEmail.status).toBe(409);
    for (const handle of ["api", "Admin", "settings", "login"]) {
      const r = await api(f.url, "POST", "/api/v1/signup", {
        json: { handle, email: `${handle}@x.test`, password: "xxxxxxxx" },
      });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe("handle");
    }
    const users = await api(f.url, "GET", "/api/v1/users/alice2");
    expect(users.status).toBe(404);
  });

  it("answers bad input with a clear 4xx problem and changes nothing", async () => {
    const cases = [
      { raw: "{not json", headers: { "content-type": "application/json" }, status: 400 },
      { raw: "handle=x", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415 },
      { raw: '{"handle":"x"}', headers: { "content-type": "text/plain" }, status: 415 },
      { json: { handle: "a".repeat(40), email: "long@x.test", password: "xxxxxxxx" }, status: 400 },
      { json: { handle: "bad handle", email: "bad@x.test", password: "xxxxxxxx" }, status: 400 },
      { json: { handle: "shortpw", email: "s@x.test", password: "x" }, status: 400 },
      { json: { handle: "noemail", email: "not-an-email", password: "xxxxxxxx" }, status: 400 },
      { json: [], status: 400 },
    ];
    for (const c of cases) {
      const r = await api(f.url, "POST", "/api/v1/signup", c as any);
      expect(r.status, JSON.stringify(c)).toBe(c.status);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.body.detail).toEqual(expect.any(String));
    }
    const big = await postRaw(
      `${f.url}/api/v1/signup`,
      JSON.stringify({ handle: "big", email: "b@x.test", password: "x".repeat(2_000_000) }),
    );
    expect(big.status).toBe(413);
    for (const h of [
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "bad%20handle",
      "shortpw",
      "noemail",
      "big",
    ]) {
      expect((await api(f.url, "GET", `/api/v1/users/${h}`)).status).toBe(404);
    }
  });

  it("issues tokens by Basic auth, shows them once, stores them hashed, honours expiry", async () => {
    const noAuth = await api(f.url, "POST", "/api/v1/tokens", {
      json: { name: "t", scopes: ["project:read"] },
    });
    expect(noAuth.status).toBe(401);
    const wrong = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["bob", "wrong password"],
      json: { name: "t", scopes: ["project:read"] },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic/);
    const byEmail = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["bob@example.test", "battery staple"],
      json: { name: "laptop", scopes: ["project:read", "session:write"] },
    });
    expect(byEmail.status).toBe(201);
    expect(byEmail.body.token).toMatch(/^mic_/);
    const me = await api(f.url, "GET", "/api/v1/user", { token: byEmail.body.token });
    expect(me.body.handle).toBe("bob");
    const list = await api(f.url, "GET", "/api/v1/tokens", { token: byEmail.body.token });
    expect(list.body).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(byEmail.body.token);
    const stored = await f.forge.db.selectFrom("api_tokens").select("token_hash").execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(byEmail.body.token);
    // A token cannot mint tokens; bob may not hold the admin scope.
    expect(
      (
        await api(f.url, "POST", "/api/v1/tokens", {
          token: byEmail.body.token,
          json: { name: "x", scopes: ["project:read"] },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api(f.url, "POST", "/api/v1/tokens", {
          basic: ["bob", "battery staple"],
          json: { name: "x", scopes: ["admin"] },
        })
      ).status,
    ).toBe(403);
    const past = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["bob", "battery staple"],
      json: { name: "x", scopes: ["project:read"], expires_at: "2001-01-01T00:00:00Z" },
    });
    expect(past.status).toBe(400);
    // Expired tokens stop working.
    const soon = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["bob", "battery staple"],
      json: {
        name: "soon",
        scopes: ["project:read"],
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      },
    });
    expect(soon.status).toBe(201);
    await f.forge.db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", soon.body.id)
      .execute();
    expect((await api(f.url, "GET", "/api/v1/user", { token: soon.body.token })).status).toBe(401);
    // Revoked tokens stop working.
    expect(
      (await api(f.url, "DELETE", `/api/v1/tokens/${byEmail.body.id}`, { token: byEmail.body.token })).status,
    ).toBe(204);
    expect((await api(f.url, "GET", "/api/v1/user", { token: byEmail.body.token })).status).toBe(401);
  });

  it("refuses sign-up when registration is closed", async () => {
    const closed = await startTestForge({ MICELIO_REGISTRATION: "closed" });
    try {
      const r = await api(closed.url, "POST", "/api/v1/signup", {
        json: { handle: "zed", email: "z@x.test", password: "xxxxxxxx" },
      });
      expect(r.status).toBe(403);
    } finally {
      await closed.close();
    }
  });
});
