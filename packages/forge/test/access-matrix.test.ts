// The access matrix: every route of the foundation, for anonymous visitors, another user,
// a member of the owning organization, the owner, and the instance administrator. A
// private project must leak to no one who lacks access — not by status, not in listings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Browser } from "../src/testing/client.ts";
import { startTestForge, type TestForge } from "../src/testing/forge.ts";
import { setUpRoles, WHO, type Who } from "../src/testing/roles.ts";

describe("access matrix for private projects", () => {
  let f: TestForge;
  const tokens: Partial<Record<Who, string>> = {};
  const browsers = {} as Record<Who, Browser>;
  let readOnlyPublicToken: string;

  beforeAll(async () => {
    f = await startTestForge();
    const roles = await setUpRoles(f.url, { browsers: true });
    Object.assign(tokens, roles.tokens);
    Object.assign(browsers, roles.browsers);
    const owner = roles.accounts.owner;
    for (const [handle, visibility] of [
      ["secret-plans", "private"],
      ["open-plans", "public"],
    ] as const) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, name: handle, owner: "acme", visibility, description: `the ${handle} zebra` },
      });
      expect(r.status).toBe(201);
    }
    const tok = await api(f.url, "POST", "/api/v1/tokens", {
      basic: ["olivia", owner.password],
      json: { name: "ro", scopes: ["session:write"] },
    });
    readOnlyPublicToken = tok.body.token;
  });
  afterAll(() => f.close());

  const expectations: Array<{
    route: string;
    method: string;
    path: string;
    body?: unknown;
    expect: Record<Who, number>;
  }> = [
    {
      route: "API read",
      method: "GET",
      path: "/api/v1/projects/acme/secret-plans",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      route: "API read (case-folded)",
      method: "GET",
      path: "/api/v1/projects/ACME/Secret-Plans",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      route: "API audit",
      method: "GET",
      path: "/api/v1/projects/acme/secret-plans/audit",
      expect: { anonymous: 404, other: 404, member: 403, owner: 200, admin: 200 },
    },
    {
      route: "API update",
      method: "PATCH",
      path: "/api/v1/projects/acme/secret-plans",
      body: { description: "changed" },
      expect: { anonymous: 404, other: 404, member: 403, owner: 200, admin: 200 },
    },
    {
      route: "API admin audit",
      method: "GET",
      path: "/api/v1/admin/audit",
      expect: { anonymous: 404, other: 404, member: 404, owner: 404, admin: 200 },
    },
    {
      route: "API public read",
      method: "GET",
      path: "/api/v1/projects/acme/open-plans",
      expect: { anonymous: 200, other: 200, member: 200, owner: 200, admin: 200 },
    },
    {
      route: "API public update",
      method: "PATCH",
      path: "/api/v1/projects/acme/open-plans",
      body: { description: "x" },
      expect: { anonymous: 403, other: 403, member: 403, owner: 200, admin: 200 },
    },
    {
      route: "Badge",
      method: "GET",
      path: "/acme/secret-plans/badge/landings.svg",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
  ];

  for (const e of expectations) {
    it(`${e.route}: ${e.method} ${e.path}`, async () => {
      for (const who of WHO) {
        const r = await api(f.url, e.method, e.path, { token: tokens[who], json: e.body });
        expect(r.status, `${who}`).toBe(e.expect[who]);
        if (r.status === 404)
          expect(JSON.stringify(r.body)).not.toMatch(
            /secret-plans/i.test(e.path) ? /private|permission/i : /$^/,
          );
      }
    });
  }

  it("a 404 for a private project is byte-identical to a 404 for a project that never existed", async () => {
    const a = await api(f.url, "GET", "/api/v1/projects/acme/secret-plans", { token: tokens.other });
    const b = await api(f.url, "GET", "/api/v1/projects/acme/no-such-thing", { token: tokens.other });
    expect({ ...a.body, instance: "" }).toEqual({ ...b.body, instance: "" });
  });

  it("listings and search show the private project only to those with access", async () => {
    for (const who of WHO) {
      const all = await api(f.url, "GET", "/api/v1/projects", { token: tokens[who] });
      const q = await api(f.url, "GET", "/api/v1/projects?q=PLANS", { token: tokens[who] });
      const byOwner = await api(f.url, "GET", "/api/v1/projects?owner=acme", { token: tokens[who] });
      const sees = who === "member" || who === "owner" || who === "admin";
      for (const list of [all, q, byOwner]) {
        expect(list.status).toBe(200);
        const names = list.body.map((p: { full_name: string }) => p.full_name);
        expect(names).toContain("acme/open-plans");
        expect(names.includes("acme/secret-plans"), `${who}`).toBe(sees);
      }
    }
  });

  it("a token without project:read sees only what anonymous visitors see", async () => {
    expect(
      (await api(f.url, "GET", "/api/v1/projects/acme/secret-plans", { token: readOnlyPublicToken })).status,
    ).toBe(404);
    const list = await api(f.url, "GET", "/api/v1/projects", { token: readOnlyPublicToken });
    expect(list.body.map((p: { full_name: string }) => p.full_name)).not.toContain("acme/secret-plans");
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: readOnlyPublicToken, json: { handle: "nope" } }))
        .status,
    ).toBe(403);
  });

  const pages: Array<{ path: string; expect: Record<Who, number> }> = [
    {
      path: "/acme/secret-plans",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      path: "/acme/secret-plans/settings",
      expect: { anonymous: 404, other: 404, member: 403, owner: 200, admin: 200 },
    },
    {
      path: "/acme/secret-plans/audit",
      expect: { anonymous: 404, other: 404, member: 403, owner: 200, admin: 200 },
    },
    {
      path: "/orgs/acme/members",
      expect: { anonymous: 303, other: 404, member: 404, owner: 200, admin: 200 },
    },
  ];

  for (const p of pages) {
    it(`web page ${p.path}`, async () => {
      for (const who of WHO) {
        const r = await browsers[who].get(p.path);
        expect(r.status, who).toBe(p.expect[who]);
        if (r.status === 404) expect(r.html).not.toContain("secret-plans</");
      }
    });
  }

  it("web forms on a private project are refused to those without access", async () => {
    for (const who of ["anonymous", "other"] as Who[]) {
      const r = await browsers[who].submit("/login", "/acme/secret-plans/settings", {
        name: "hacked",
        visibility: "public",
      });
      expect(r.status, who).toBe(404);
      const d = await browsers[who].submit("/login", "/acme/secret-plans/settings/delete", {
        confirm: "acme/secret-plans",
      });
      expect(d.status, who).toBe(404);
    }
    const m = await browsers.member.submit("/login", "/acme/secret-plans/settings", {
      name: "hacked",
      visibility: "public",
    });
    expect(m.status).toBe(403);
    const still = await api(f.url, "GET", "/api/v1/projects/acme/secret-plans", { token: tokens.owner });
    expect(still.body).toMatchObject({ name: "secret-plans", visibility: "private" });
  });

  it("profile and home pages list the private project only to those with access", async () => {
    for (const who of WHO) {
      const sees = who === "member" || who === "owner" || who === "admin";
      const profile = await browsers[who].get("/acme");
      expect(profile.status).toBe(200);
      expect(profile.html.includes("secret-plans"), who).toBe(sees);
      // The home page lists one's organizations' projects and suggests popular ones (home/).
      const home = await browsers[who].get("/");
      expect(home.html.includes("acme/secret-plans"), who).toBe(sees);
    }
  });

  it("search (projects, similar names, code, pages) shows the private project only to those with access", async () => {
    for (const who of WHO) {
      const sees = who === "member" || who === "owner" || who === "admin";
      for (const q of ["plans", "secret-plasn"]) {
        const r = await api(f.url, "GET", `/api/v1/search/projects?q=${q}`, { token: tokens[who] });
        expect(r.status).toBe(200);
        const names = r.body.items.map((p: { full_name: string }) => p.full_name);
        expect(names.includes("acme/secret-plans"), `${who} ${q}`).toBe(sees);
        const page = await browsers[who].get(`/search?q=${q}`);
        expect(page.html.includes("acme/secret-plans") || page.html.includes("secret-plans</"), who).toBe(
          sees,
        );
      }
      const code = await api(f.url, "GET", "/api/v1/projects/acme/secret-plans/search/code?q=x", {
        token: tokens[who],
      });
      expect(code.status, who).toBe(sees ? 200 : 404);
      expect((await browsers[who].get("/acme/secret-plans/search?q=x")).status, who).toBe(sees ? 200 : 404);
    }
  });

  it("deletion: anonymous, other and member cannot delete; the owner can", async () => {
    for (const who of ["anonymous", "other", "member"] as Who[]) {
      const r = await api(f.url, "DELETE", "/api/v1/projects/acme/secret-plans", { token: tokens[who] });
      expect(r.status, who).toBe(who === "member" ? 403 : 404);
    }
    expect(
      (await api(f.url, "DELETE", "/api/v1/projects/acme/secret-plans", { token: tokens.owner })).status,
    ).toBe(204);
    expect(
      (await api(f.url, "GET", "/api/v1/projects/acme/secret-plans", { token: tokens.owner })).status,
    ).toBe(404);
  });
});
