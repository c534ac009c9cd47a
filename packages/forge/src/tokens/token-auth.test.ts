// Token authentication with the process's token cache on (tokens/token-cache.ts): whatever
// ends a token's validity ends it at once, cached or not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { tokenCache } from "./token-cache.ts";

describe("cached token authentication", () => {
  let f: TestForge;
  let admin: Awaited<ReturnType<typeof userWithToken>>;
  beforeAll(async () => {
    f = await startTestForge();
    admin = await userWithToken(f.url, "olga", ["admin", "user", "project:read"]);
  });
  afterAll(() => f.close());

  const user = (token: string) => api(f.url, "GET", "/api/v1/user", { token });
  /** Asks until the answer is `status` (a change made elsewhere reaches the cache by the bus). */
  async function eventually(token: string, status: number) {
    for (let i = 0; i < 200; i++) {
      const r = await user(token);
      if (r.status === status) return r;
      await new Promise((r) => setTimeout(r, 25));
    }
    return user(token);
  }

  it("a revoked token stops working at once, though it was cached", async () => {
    const ada = await userWithToken(f.url, "ada");
    const extra = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [ada.handle, ada.password],
      json: { name: "second", scopes: ["user"] },
    });
    expect(extra.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await user(extra.body.token)).status).toBe(200);
    expect(tokenCache.size).toBeGreaterThan(0);
    const revoked = await api(f.url, "DELETE", `/api/v1/tokens/${extra.body.id}`, { token: ada.token });
    expect(revoked.status).toBe(204);
    expect((await user(extra.body.token)).status).toBe(401);
    expect((await user(ada.token)).status).toBe(200); // the other token still works
  });

  it("a suspended account's cached token is refused at once, and works again after", async () => {
    const bob = await userWithToken(f.url, "bob");
    expect((await user(bob.token)).status).toBe(200);
    const s = await api(f.url, "POST", "/api/v1/admin/users/bob/suspend", { token: admin.token, json: {} });
    expect(s.status).toBeLessThan(300);
    expect((await user(bob.token)).status).toBe(401);
    const u = await api(f.url, "POST", "/api/v1/admin/users/bob/unsuspend", { token: admin.token });
    expect(u.status).toBeLessThan(300);
    expect((await user(bob.token)).status).toBe(200);
  });

  it("a token deleted or changed in the database by another process stops working", async () => {
    const cy = await userWithToken(f.url, "cy");
    const other = await api(f.url, "POST", "/api/v1/tokens", {
      basic: [cy.handle, cy.password],
      json: { name: "other", scopes: ["user"] },
    });
    expect((await user(other.body.token)).status).toBe(200);
    expect((await user(cy.token)).status).toBe(200);
    // Written straight to the database, as another forge process would: the trigger's
    // message on the bus drops the cached entries.
    await f.forge.db.deleteFrom("api_tokens").where("id", "=", other.body.id).execute();
    expect((await eventually(other.body.token, 401)).status).toBe(401);
    await f.forge.db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_id", "=", cy.user.id)
      .execute();
    expect((await eventually(cy.token, 401)).status).toBe(401);
  });

  it("an account deleted in the database takes its cached tokens with it", async () => {
    const dee = await userWithToken(f.url, "dee");
    expect((await user(dee.token)).status).toBe(200);
    await f.forge.db.deleteFrom("accounts").where("id", "=", dee.user.id).execute();
    expect((await eventually(dee.token, 401)).status).toBe(401);
  });
});
