// Projects over the API: create, read, change, delete, and bad input that gets a clear 4xx
// and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("projects API", () => {
  let f: TestForge;
  let token: string;
  const list = async () =>
    (await api(f.url, "GET", "/api/v1/projects?owner=maker", { token })).body
      .map((p: { handle: string }) => p.handle)
      .sort();

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "maker")).token;
  });
  afterAll(() => f.close());

  it("creates, reads, updates and deletes a project", async () => {
    const c = await api(f.url, "POST", "/api/v1/projects", {
      token,
      json: { handle: "tool", name: "The Tool", description: "does things", visibility: "private" },
    });
    expect(c.status).toBe(201);
    expect(c.headers.get("location")).toBe("/api/v1/projects/maker/tool");
    expect(c.body).toMatchObject({
      full_name: "maker/tool",
      name: "The Tool",
      visibility: "private",
      permissions: { admin: true },
    });
    const u = await api(f.url, "PATCH", "/api/v1/projects/maker/tool", {
      token,
      json: { visibility: "public", description: "" },
    });
    expect(u.body).toMatchObject({ visibility: "public", description: "" });
    expect((await api(f.url, "GET", "/api/v1/projects/maker/tool")).status).toBe(200);
    expect((await api(f.url, "DELETE", "/api/v1/projects/maker/tool", { token })).status).toBe(204);
    expect((await api(f.url, "GET", "/api/v1/projects/maker/tool", { token })).status).toBe(404);
  });

  it("answers bad input with a clear 4xx problem and changes nothing", async () => {
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "keep", name: "Keep" } });
    const before = await list();
    const bad: Array<{ opts: Parameters<typeof api>[3]; status: number; field?: string }> = [
      { opts: { json: { handle: "x".repeat(101) } }, status: 400, field: "handle" },
      { opts: { json: { handle: "ok", name: "n".repeat(101) } }, status: 400, field: "name" },
      { opts: { json: { handle: "ok", description: "d".repeat(1001) } }, status: 400, field: "description" },
      { opts: { json: { handle: "bad handle" } }, status: 400, field: "handle" },
      { opts: { json: { handle: "../etc" } }, status: 400, field: "handle" },
      { opts: { json: { handle: "repo.git" } }, status: 400, field: "handle" },
      { opts: { json: { handle: "ok", visibility: "secret" } }, status: 400, field: "visibility" },
      { opts: { json: { handle: "KEEP" } }, status: 409 },
      { opts: { json: { handle: "ok", owner: "somebody-else" } }, status: 403 },
      { opts: { json: {} }, status: 400, field: "handle" },
      { opts: { raw: "{bad json", headers: { "content-type": "application/json" } }, status: 400 },
      {
        opts: { raw: "handle=ok", headers: { "content-type": "application/x-www-form-urlencoded" } },
        status: 415,
      },
      { opts: { raw: '{"handle":"ok"}', headers: { "content-type": "text/plain" } }, status: 415 },
    ];
    for (const b of bad) {
      const r = await api(f.url, "POST", "/api/v1/projects", { token, ...b.opts });
      expect(r.status, JSON.stringify(b.opts).slice(0, 80)).toBe(b.status);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.body.detail).toEqual(expect.any(String));
      if (b.field) expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(b.field);
    }
    const patch = [
      { json: { name: "" }, status: 400 },
      { json: { visibility: "everyone" }, status: 400 },
      { json: { handle: "renamed" }, status: 400 },
    ];
    for (const p of patch) {
      const r = await api(f.url, "PATCH", "/api/v1/projects/maker/keep", { token, json: p.json });
      expect(r.status, JSON.stringify(p.json)).toBe(p.status);
    }
    expect(await list()).toEqual(before);
    expect((await api(f.url, "GET", "/api/v1/projects/maker/keep", { token })).body).toMatchObject({
      name: "Keep",
      visibility: "public",
    });
  });

  it("paginates listings and validates paging parameters", async () => {
    for (const h of ["p1", "p2", "p3"])
      await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: h } });
    const page1 = await api(f.url, "GET", "/api/v1/projects?owner=maker&limit=2", { token });
    const page2 = await api(f.url, "GET", "/api/v1/projects?owner=maker&limit=2&offset=2", { token });
    expect(page1.body).toHaveLength(2);
    expect(page2.body.length).toBeGreaterThan(0);
    expect(page1.body.map((p: { id: string }) => p.id)).not.toContain(page2.body[0].id);
    expect((await api(f.url, "GET", "/api/v1/projects?limit=0")).status).toBe(400);
    expect((await api(f.url, "GET", "/api/v1/projects?limit=abc")).status).toBe(400);
  });
});
