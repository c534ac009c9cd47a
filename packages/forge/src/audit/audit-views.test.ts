// The audit views, per project (owners) and instance-wide (administrators), in the API and
// on the pages: filters by actor, action (exact or prefix*), target and date range, and the
// JSON-lines export of the same selection, one parseable entry a line with actor, action,
// target and IP. The query-string parsing is checked as a property.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { auditQuery } from "./audit-export.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;

describe("auditQuery", () => {
  it("turns a day into its start (from) and the next day's start (to), and drops blanks", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          const q = auditQuery({ from: day, to: day, actor: " ", action: "" });
          expect(q.from?.toISOString()).toBe(`${day}T00:00:00.000Z`);
          expect(q.to!.getTime() - q.from!.getTime()).toBe(86_400_000);
          expect(q.actor).toBeUndefined();
          expect(q.action).toBeUndefined();
        },
      ),
    );
  });
});

describe("audit views", () => {
  let f: TestForge;
  let ada: User; // administrator
  let olga: User;
  let max: User;
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada", ["project:read", "project:write", "admin"]);
    olga = await userWithToken(f.url, "olga");
    max = await userWithToken(f.url, "max");
    const as = (token: string, method: string, path: string, json?: unknown) =>
      api(f.url, method, `/api/v1${path}`, { token, json });
    expect((await as(olga.token, "POST", "/projects", { handle: "mill" })).status).toBe(201);
    expect(
      (await as(olga.token, "POST", "/projects", { handle: "barn", visibility: "private" })).status,
    ).toBe(201);
    expect((await as(olga.token, "PATCH", "/projects/olga/mill", { description: "Flour" })).status).toBe(200);
    expect((await as(olga.token, "PATCH", "/projects/olga/mill", { visibility: "private" })).status).toBe(
      200,
    );
    expect((await as(olga.token, "PATCH", "/projects/olga/mill", { visibility: "public" })).status).toBe(200);
    expect((await as(max.token, "POST", "/projects", { handle: "shed" })).status).toBe(201);
  });
  afterAll(() => f?.close());

  const A = (path: string, token = ada.token) => api(f.url, "GET", `/api/v1${path}`, { token });

  it("filters the instance-wide log by actor, action, prefix, target and dates", async () => {
    const byActor = await A("/admin/audit?actor=MAX");
    expect(byActor.status).toBe(200);
    expect(byActor.body.length).toBeGreaterThan(0);
    expect(new Set(byActor.body.map((e: { actor: string }) => e.actor))).toEqual(new Set(["max"]));

    const creates = await A("/admin/audit?action=project.create");
    expect(creates.body.map((e: { target: string }) => e.target).sort()).toEqual([
      "max/shed",
      "olga/barn",
      "olga/mill",
    ]);
    const projectAny = await A("/admin/audit?action=project.*&actor=olga");
    expect(projectAny.body.map((e: { action: string }) => e.action).sort()).toEqual([
      "project.create",
      "project.create",
      "project.update",
      "project.visibility",
      "project.visibility",
    ]);

    const mill = await A("/admin/audit?target=MILL");
    expect(mill.body.length).toBeGreaterThanOrEqual(2);
    expect(mill.body.every((e: { target: string }) => e.target.toLowerCase().includes("mill"))).toBe(true);

    expect((await A(`/admin/audit?from=${today}&to=${today}&action=project.create`)).body).toHaveLength(3);
    expect((await A("/admin/audit?to=2000-01-01")).body).toEqual([]);
    expect((await A("/admin/audit?from=2999-01-01")).body).toEqual([]);
    expect((await A("/admin/audit?from=yesterday")).status).toBe(400);

    // Every entry says who, what, to which target, from where.
    for (const e of creates.body) {
      expect(e.actor).toMatch(/^(olga|max)$/);
      expect(e.ip).toMatch(/127\.0\.0\.1/);
      expect(e.target_type).toBe("project");
    }
  });

  it("exports the same selection as JSON lines that parse one by one", async () => {
    const res = await fetch(`${f.url}/api/v1/admin/audit?format=jsonl&actor=olga`, {
      headers: { authorization: `Bearer ${ada.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.split("\n").slice(0, -1);
    const entries = lines.map((l) => JSON.parse(l));
    const page = (await A("/admin/audit?actor=olga")).body;
    expect(entries).toEqual(page);
    for (const e of entries)
      expect(Object.keys(e)).toEqual(expect.arrayContaining(["actor", "action", "target", "ip"]));
  });

  it("gives project owners their project's log, filtered and exported, in the API and on the page", async () => {
    const vis = await A("/projects/olga/mill/audit?action=project.vis*", olga.token);
    expect(vis.status).toBe(200);
    expect(vis.body.map((e: { action: string; data: { visibility?: string } }) => e.action)).toEqual([
      "project.visibility",
      "project.visibility",
    ]);
    const all = await A("/projects/olga/mill/audit?format=jsonl", olga.token);
    const lines = (all.body as string)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((e) => e.target.startsWith("olga/mill"))).toBe(true);
    // Someone else may read the public project but not its log; the private one does not exist for them.
    expect((await A("/projects/olga/mill/audit", max.token)).status).toBe(403);
    expect((await A("/projects/olga/barn/audit", max.token)).status).toBe(404);

    const web = new Browser(f.url);
    await web.submit("/login", "/login", { login: "olga", password: olga.password });
    const filtered = await web.get("/olga/mill/audit?action=project.update");
    expect(filtered.status).toBe(200);
    expect(filtered.html).toContain("<code>project.update</code>");
    expect(filtered.html).not.toContain("<code>project.create</code>");
    expect(filtered.html).toContain('href="/olga/mill/audit?action=project.update&amp;format=jsonl"');
    const exported = await web.get("/olga/mill/audit?action=project.update&format=jsonl");
    expect(exported.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(exported.headers.get("content-disposition")).toContain("attachment");
    const one = exported.html
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ actor: "olga", action: "project.update", target: "olga/mill" });
  });

  it("filters and exports the instance-wide page for administrators", async () => {
    const web = new Browser(f.url);
    await web.submit("/login", "/login", { login: "ada", password: ada.password });
    const page = await web.get("/admin/audit?actor=max&action=project.create");
    expect(page.status).toBe(200);
    expect(page.html).toContain("max/shed");
    expect(page.html).not.toContain("olga/mill");
    expect(page.html).toContain('value="max"');
    const exported = await web.get("/admin/audit?actor=max&action=project.create&format=jsonl");
    const lines = exported.html
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.target)).toEqual(["max/shed"]);
  });
});
