// An organization's tokens: made by an owner for chosen projects of the org, listed and
// revoked by any owner, and dead as soon as their maker stops being an owner.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("organization tokens", () => {
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  let bob: Awaited<ReturnType<typeof userWithToken>>;
  const as = (tok: string, method: string, path: string, json?: unknown) =>
    api(f.url, method, path, { token: tok, json });
  const mint = (who: typeof ada, json: unknown) =>
    api(f.url, "POST", "/api/v1/orgs/acme/tokens", { basic: [who.handle, who.password], json });

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    bob = await userWithToken(f.url, "bob");
    expect((await as(ada.token, "POST", "/api/v1/orgs", { handle: "acme" })).status).toBe(201);
    expect((await as(ada.token, "PUT", "/api/v1/orgs/acme/members/bob", { role: "owner" })).status).toBe(200);
    for (const handle of ["app", "other"]) {
      const p = await as(ada.token, "POST", "/api/v1/projects", {
        handle,
        owner: "acme",
        visibility: "private",
      });
      expect(p.status, JSON.stringify(p.body)).toBe(201);
    }
    expect(
      (await as(ada.token, "POST", "/api/v1/projects", { handle: "mine", visibility: "private" })).status,
    ).toBe(201);
  });
  afterAll(() => f?.close());

  it("an owner makes one for the org's projects only, and it reaches nothing else", async () => {
    const outside = await mint(bob, { name: "x", scopes: ["project:read"], projects: ["ada/mine"] });
    expect(outside.status).toBe(400); // bob cannot read it, and it is not the org's
    const notOrg = await mint(ada, { name: "x", scopes: ["project:read"], projects: ["ada/mine"] });
    expect(notOrg.status).toBe(400);
    expect(notOrg.body.detail).toMatch(/not a project of this organization/);
    expect((await mint(bob, { name: "x", scopes: ["project:read"] })).status).toBe(400); // projects required
    const made = await mint(bob, {
      name: "deploy",
      scopes: ["project:read", "session:write"],
      projects: ["acme/app"],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ org: "acme", projects: ["acme/app"] });
    const tok = made.body.token as string;
    expect((await as(tok, "GET", "/api/v1/projects/acme/app")).status).toBe(200);
    expect((await as(tok, "GET", "/api/v1/projects/acme/other")).status).toBe(404);
    const listed = await as(ada.token, "GET", "/api/v1/orgs/acme/tokens");
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ name: "deploy", created_by: "bob", projects: ["acme/app"] }),
    ]);
    // Not among bob's personal tokens, and a member who is no owner cannot list them.
    expect((await as(bob.token, "GET", "/api/v1/tokens")).body.map((t: { name: string }) => t.name)).toEqual([
      "test",
    ]);
  });

  it("stops working when its maker stops being an owner", async () => {
    const made = await mint(bob, { name: "ci", scopes: ["project:read"], projects: ["acme/app"] });
    expect(made.status).toBe(201);
    const tok = made.body.token as string;
    expect((await as(tok, "GET", "/api/v1/projects/acme/app")).status).toBe(200); // now cached
    expect((await as(ada.token, "PUT", "/api/v1/orgs/acme/members/bob", { role: "member" })).status).toBe(
      200,
    );
    expect((await as(tok, "GET", "/api/v1/projects/acme/app")).status).toBe(401);
    expect((await as(bob.token, "GET", "/api/v1/orgs/acme/tokens")).status).toBe(403);
    expect((await as(ada.token, "PUT", "/api/v1/orgs/acme/members/bob", { role: "owner" })).status).toBe(200);
    expect((await as(tok, "GET", "/api/v1/projects/acme/app")).status).toBe(200);
  });

  it("any owner revokes the org's tokens", async () => {
    const made = await mint(bob, { name: "gone", scopes: ["project:read"], projects: ["acme/app"] });
    const revoked = await as(ada.token, "DELETE", `/api/v1/orgs/acme/tokens/${made.body.id}`);
    expect(revoked.status).toBe(204);
    expect((await as(made.body.token, "GET", "/api/v1/user")).status).toBe(401);
    expect((await as(ada.token, "DELETE", `/api/v1/orgs/acme/tokens/${made.body.id}`)).status).toBe(404);
  });

  it("the settings page makes a project token and lists its projects, expiry and last use", async () => {
    const web = new Browser(f.url);
    expect((await web.submit("/login", "/login", { login: "ada", password: ada.password })).status).toBe(303);
    const made = await web.submit("/settings/tokens", "/settings/tokens", {
      name: "page-ci",
      scopes: ["project:read"],
      projects: "ada/mine\nacme/app",
      expires: "2099-01-31",
    });
    expect(made.status).toBe(200);
    const secret = /id="new-token">\s*(mic_[A-Za-z0-9_-]+)/.exec(made.html)?.[1];
    expect(secret).toBeDefined();
    expect((await as(secret!, "GET", "/api/v1/projects/ada/mine")).status).toBe(200);
    const page = await web.get("/settings/tokens");
    expect(page.html).toContain("only ada/mine, acme/app");
    expect(page.html).toContain("expires 2099-01-31");
    expect(page.html).toMatch(/page-ci[\s\S]*last used \d{4}-/);
    const bad = await web.submit("/settings/tokens", "/settings/tokens", {
      name: "bad",
      scopes: ["project:read"],
      projects: "ada/nothing-here",
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("ada/nothing-here: no such project");
  });

  it("has a settings page for owners: make (secret shown once), list with its maker, revoke", async () => {
    const web = new Browser(f.url);
    expect((await web.submit("/login", "/login", { login: "bob", password: bob.password })).status).toBe(303);
    const made = await web.submit("/orgs/acme/tokens", "/orgs/acme/tokens", {
      name: "page-deploy",
      scopes: ["project:read"],
      projects: "acme/other",
      expires: "",
    });
    expect(made.status).toBe(200);
    const secret = /id="new-token">\s*([^<\s]+)/.exec(made.html)?.[1];
    expect(secret).toBeTruthy();
    expect(made.html).toContain("only acme/other");
    expect(made.html).toContain("made by bob");
    expect((await as(secret!, "GET", "/api/v1/projects/acme/other")).status).toBe(200);
    expect((await as(secret!, "GET", "/api/v1/projects/acme/app")).status).toBe(404);
    // A project outside the org is refused on the form, with its reason.
    const bad = await web.submit("/orgs/acme/tokens", "/orgs/acme/tokens", {
      name: "x",
      scopes: ["project:read"],
      projects: "ada/mine",
      expires: "",
    });
    expect(bad.status).toBe(400);
    // Revoked from the page: the secret stops working.
    const listed = await as(ada.token, "GET", "/api/v1/orgs/acme/tokens");
    const id = listed.body.find((t: { name: string }) => t.name === "page-deploy").id;
    const page = await web.get("/orgs/acme/tokens");
    expect(page.html).not.toContain(secret!);
    expect((await web.submit("/orgs/acme/tokens", `/orgs/acme/tokens/${id}/delete`, {})).status).toBe(303);
    expect((await as(secret!, "GET", "/api/v1/projects/acme/other")).status).toBe(401);
    // Someone who is not an owner of the org finds no such page.
    const stranger = await userWithToken(f.url, "carol");
    const other = new Browser(f.url);
    await other.submit("/login", "/login", { login: "carol", password: stranger.password });
    expect((await other.get("/orgs/acme/tokens")).status).toBe(404);
  });
});
