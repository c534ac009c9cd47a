// Stars through the API and the pages, with their counts; and the access matrix for stars
// and forks: a private project's stars, stargazers and forks — and a private fork — exist
// for no one without access.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { type Roles, setUpRoles, WHO, type Who } from "../testing/roles.ts";

describe("stars and the access matrix for stars and forks", () => {
  let f: TestForge;
  let roles: Roles;
  const browsers = {} as Record<Who, Browser>;
  const call: Roles["call"] = (...args) => roles.call(...args);
  const names = (body: Array<{ full_name: string }>) => body.map((p) => p.full_name);

  beforeAll(async () => {
    f = await startTestForge();
    roles = await setUpRoles(f.url, { browsers: true });
    Object.assign(browsers, roles.browsers);
    for (const [handle, visibility] of [
      ["secret", "private"],
      ["open", "public"],
    ])
      expect(
        (await call("owner", "POST", "/api/v1/projects", { handle, owner: "acme", visibility })).status,
      ).toBe(201);
  });
  afterAll(() => f.close());

  it("stars are idempotent and counted", async () => {
    const count = async () => (await call("anonymous", "GET", "/api/v1/projects/acme/open")).body.stars_count;
    expect(await count()).toBe(0);
    expect((await call("other", "PUT", "/api/v1/user/starred/acme/open")).status).toBe(204);
    expect((await call("other", "PUT", "/api/v1/user/starred/acme/open")).status).toBe(204);
    expect(await count()).toBe(1);
    expect((await call("member", "PUT", "/api/v1/user/starred/ACME/Open")).status).toBe(204);
    expect(await count()).toBe(2);
    expect((await call("other", "GET", "/api/v1/user/starred/acme/open")).status).toBe(204);
    expect((await call("owner", "GET", "/api/v1/user/starred/acme/open")).status).toBe(404);
    const gazers = await call("anonymous", "GET", "/api/v1/projects/acme/open/stargazers");
    expect(gazers.body.map((u: { handle: string }) => u.handle)).toEqual(["mia", "oscar"]);
    expect(gazers.body[0].starred_at).toMatch(/^\d{4}-/);
    expect((await call("other", "DELETE", "/api/v1/user/starred/acme/open")).status).toBe(204);
    expect((await call("other", "DELETE", "/api/v1/user/starred/acme/open")).status).toBe(204);
    expect(await count()).toBe(1);
    expect((await call("other", "GET", "/api/v1/user/starred/acme/open")).status).toBe(404);
    expect((await call("anonymous", "PUT", "/api/v1/user/starred/acme/open")).status).toBe(401);
    expect((await call("other", "PUT", "/api/v1/user/starred/acme/nothing")).status).toBe(404);
    const listed = await call("member", "GET", "/api/v1/projects?owner=acme");
    expect(listed.body.find((p: { handle: string }) => p.handle === "open").stars_count).toBe(1);
  });

  it("a token without project:write cannot star", async () => {
    const ro = await userWithToken(f.url, "rita", ["project:read"]);
    const r = await api(f.url, "PUT", "/api/v1/user/starred/acme/open", { token: ro.token });
    expect(r.status).toBe(403);
  });

  it("stars from the project page, with the count on the button's side", async () => {
    const b = browsers.other;
    const page = await b.get("/acme/open");
    expect(page.html).toContain("☆ Star");
    expect(page.html).toMatch(/>\s*1 star\s*</);
    const r = await b.submit("/acme/open", "/acme/open/star", { star: "1" });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/acme/open");
    const after = await b.get("/acme/open");
    expect(after.html).toContain("★ Unstar");
    expect(after.html).toMatch(/>\s*2 stars\s*</);
    const bad = await b.submit("/acme/open", "/acme/open/star", { star: "1" }, { csrf: "wrong" });
    expect(bad.status).toBe(403);
    expect((await b.submit("/acme/open", "/acme/open/star", { star: "0" })).status).toBe(303);
    expect((await call("anonymous", "GET", "/api/v1/projects/acme/open")).body.stars_count).toBe(1);
    expect((await browsers.anonymous.get("/acme/open")).html).not.toContain("☆ Star");
  });

  const routes: Array<{ method: string; path: string; body?: unknown; expect: Record<Who, number> }> = [
    {
      method: "GET",
      path: "/api/v1/projects/acme/secret/stargazers",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      method: "GET",
      path: "/api/v1/projects/acme/secret/forks",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      method: "PUT",
      path: "/api/v1/user/starred/acme/secret",
      expect: { anonymous: 404, other: 404, member: 204, owner: 204, admin: 204 },
    },
    {
      method: "GET",
      path: "/api/v1/user/starred/acme/secret",
      expect: { anonymous: 401, other: 404, member: 204, owner: 204, admin: 204 },
    },
    {
      method: "POST",
      path: "/api/v1/projects/acme/secret/forks",
      body: { handle: "secret-fork" },
      expect: { anonymous: 404, other: 404, member: 201, owner: 201, admin: 201 },
    },
    {
      method: "DELETE",
      path: "/api/v1/user/starred/acme/secret",
      expect: { anonymous: 404, other: 404, member: 204, owner: 204, admin: 204 },
    },
  ];
  for (const e of routes) {
    it(`${e.method} ${e.path}`, async () => {
      for (const who of WHO) {
        const r = await call(who, e.method, e.path, e.body);
        expect(r.status, who).toBe(e.expect[who]);
        if (r.status === 404)
          expect(JSON.stringify({ ...r.body, instance: "" })).not.toMatch(/private|permission|secret/i);
      }
    });
  }

  it("a private project's fork is private, and invisible to those without access", async () => {
    const fork = await call("member", "GET", "/api/v1/projects/mia/secret-fork");
    expect(fork.body).toMatchObject({ visibility: "private", parent: "acme/secret" });
    for (const who of ["anonymous", "other"] as const) {
      expect((await call(who, "GET", "/api/v1/projects/mia/secret-fork")).status, who).toBe(404);
      expect((await call(who, "GET", "/api/v1/projects/mia/secret-fork/forks")).status, who).toBe(404);
      expect(names((await call(who, "GET", "/api/v1/projects?owner=mia")).body)).toEqual([]);
      expect((await browsers[who].get("/mia/secret-fork")).status, who).toBe(404);
    }
    expect(names((await call("member", "GET", "/api/v1/projects/acme/secret/forks")).body)).toContain(
      "mia/secret-fork",
    );
    // The owner of the parent cannot see mia's own private fork: it is hers.
    expect((await call("owner", "GET", "/api/v1/projects/mia/secret-fork")).status).toBe(404);
    expect(names((await call("owner", "GET", "/api/v1/projects/acme/secret/forks")).body)).not.toContain(
      "mia/secret-fork",
    );
  });

  it("a private project's fork cannot be made public while its parent is private", async () => {
    const r = await call("member", "PATCH", "/api/v1/projects/mia/secret-fork", { visibility: "public" });
    expect(r.status).toBe(409);
    expect(r.body.errors).toEqual([{ field: "visibility", message: expect.stringMatching(/private/) }]);
    expect((await call("other", "GET", "/api/v1/projects/mia/secret-fork")).status).toBe(404);
  });

  it("a public fork never names a parent made private since", async () => {
    expect(
      (await call("owner", "POST", "/api/v1/projects", { handle: "soon-secret", owner: "acme" })).status,
    ).toBe(201);
    expect((await call("other", "POST", "/api/v1/projects/acme/soon-secret/forks", {})).status).toBe(201);
    expect((await call("other", "GET", "/api/v1/projects/oscar/soon-secret")).body.parent).toBe(
      "acme/soon-secret",
    );
    expect(
      (await call("owner", "PATCH", "/api/v1/projects/acme/soon-secret", { visibility: "private" })).status,
    ).toBe(200);
    for (const who of ["anonymous", "other"] as const) {
      const seen = await call(who, "GET", "/api/v1/projects/oscar/soon-secret");
      expect(seen.status, who).toBe(200);
      expect(seen.body.parent, who).toBeNull();
      const page = await browsers[who].get("/oscar/soon-secret");
      expect(page.status).toBe(200);
      expect(page.html, who).not.toContain("acme/soon-secret");
    }
    // A public fork of a project made private leaves its network, for members too (ADR 21).
    expect((await call("member", "GET", "/api/v1/projects/oscar/soon-secret")).body.parent).toBeNull();
  });

  it("a public project's fork made private leaves its forks list and count", async () => {
    expect((await call("other", "POST", "/api/v1/projects/acme/open/forks", {})).status).toBe(201);
    const count = async (who: Who) => (await call(who, "GET", "/api/v1/projects/acme/open")).body.forks_count;
    expect(await count("anonymous")).toBe(1);
    expect(
      (await call("other", "PATCH", "/api/v1/projects/oscar/open", { visibility: "private" })).status,
    ).toBe(200);
    expect(await count("anonymous")).toBe(0);
    expect(await count("member")).toBe(0);
    expect(await count("other")).toBe(1);
    expect(names((await call("member", "GET", "/api/v1/projects/acme/open/forks")).body)).toEqual([]);
    expect((await browsers.member.get("/acme/open/forks")).html).not.toContain("oscar/open");
    expect((await browsers.other.get("/acme/open/forks")).html).toContain("oscar/open");
  });

  it("starred lists and the profile show only what the viewer may see", async () => {
    expect((await call("member", "PUT", "/api/v1/user/starred/acme/secret")).status).toBe(204);
    expect(names((await call("member", "GET", "/api/v1/user/starred")).body)).toEqual([
      "acme/secret",
      "acme/open",
    ]);
    expect(names((await call("other", "GET", "/api/v1/users/mia/starred")).body)).toEqual(["acme/open"]);
    expect(names((await call("anonymous", "GET", "/api/v1/users/mia/starred")).body)).toEqual(["acme/open"]);
    expect((await call("anonymous", "GET", "/api/v1/user/starred")).status).toBe(401);
    expect((await call("anonymous", "GET", "/api/v1/users/acme/starred")).status).toBe(404);
    const mine = await browsers.member.get("/mia");
    expect(mine.html).toContain("Starred");
    expect(mine.html).toContain("acme/secret");
    for (const who of ["anonymous", "other"] as const) {
      const page = await browsers[who].get("/mia");
      expect(page.html, who).toContain("acme/open");
      expect(page.html, who).not.toContain("acme/secret");
    }
  });

  const pages: Array<{ path: string; expect: Record<Who, number> }> = [
    {
      path: "/acme/secret/stargazers",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      path: "/acme/secret/forks",
      expect: { anonymous: 404, other: 404, member: 200, owner: 200, admin: 200 },
    },
    {
      path: "/acme/secret/fork",
      expect: { anonymous: 303, other: 404, member: 200, owner: 200, admin: 200 },
    },
  ];
  for (const p of pages) {
    it(`web page ${p.path}`, async () => {
      for (const who of WHO) {
        const r = await browsers[who].get(p.path);
        expect(r.status, who).toBe(p.expect[who]);
        if (r.status === 404) expect(r.html).not.toContain("acme/secret");
      }
    });
  }

  it("star and fork forms on a private project are 404 to those without access", async () => {
    for (const [path, fields] of [
      ["/acme/secret/star", { star: "1" }],
      ["/acme/secret/fork", { handle: "stolen" }],
    ] as const) {
      const r = await browsers.other.submit("/", path, fields);
      expect(r.status, path).toBe(404);
      expect(r.html).not.toContain("acme/secret");
    }
    expect((await call("other", "GET", "/api/v1/projects/oscar/stolen")).status).toBe(404);
  });
});
