// GET /api/v1/user/feed on a real forge: 401 for anonymous callers, the events of the home
// page's feed as JSON (landings, new projects, stars), a private project's events only for
// those who may read it (its organization's member and owner, never another user), and pages
// of 20 joined by next_cursor without gaps or repeats; foreign cursors are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { setUpRoles } from "../testing/roles.ts";

type Roles = Awaited<ReturnType<typeof setUpRoles>>;
type Who = Parameters<Roles["call"]>[0];
interface Event {
  type: string;
  actor: string;
  project: string;
  created_at: string;
  title: string;
  position: number | null;
  session_id: string | null;
  landings: number | null;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("GET /api/v1/user/feed", () => {
  let f: TestForge;
  let r: Roles;
  const feed = async (who: Who, cursor?: string) => {
    const res = await r.call(who, "GET", `/api/v1/user/feed${cursor ? `?cursor=${cursor}` : ""}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: Event[]; next_cursor: string | null };
  };
  const land = async (full: string, goal: string) => {
    const base = `/api/v1/projects/${full}`;
    const s = await r.call("owner", "POST", `${base}/sessions`, { goal });
    expect(s.status).toBe(201);
    const changes = [{ path: "notes.txt", content: b64(goal) }];
    expect((await r.call("owner", "PUT", `${base}/sessions/${s.body.id}/changes`, { changes })).status).toBe(
      200,
    );
    expect((await r.call("owner", "POST", `${base}/sessions/${s.body.id}/land`)).status).toBe(200);
    return s.body.id as string;
  };
  let landed: string;

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    for (const [handle, visibility] of [
      ["secret", "private"],
      ["open", "public"],
    ]) {
      const p = await r.call("owner", "POST", "/api/v1/projects", { handle, visibility, owner: "acme" });
      expect(p.status).toBe(201);
    }
    landed = await land("acme/secret", "secret landing");
    await land("acme/open", "open landing");
    // mia (acme's member) and oscar follow olivia; olivia follows acme; mia stars acme/open.
    for (const [who, target] of [
      ["member", "olivia"],
      ["other", "olivia"],
      ["owner", "acme"],
    ] as const) {
      expect((await r.call(who, "PUT", `/api/v1/user/following/${target}`)).status).toBe(204);
    }
    expect((await r.call("member", "PUT", "/api/v1/user/starred/acme/open")).status).toBe(204);
  });
  afterAll(() => f.close());

  it("is 401 problem+json for anonymous callers", async () => {
    const res = await r.call("anonymous", "GET", "/api/v1/user/feed");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.status).toBe(401);
  });

  it("returns the home feed's events as JSON", async () => {
    const { items, next_cursor } = await feed("member");
    expect(next_cursor).toBeNull();
    const landing = items.find((i) => i.type === "landing" && i.project === "acme/secret");
    expect(landing).toEqual({
      type: "landing",
      actor: "olivia",
      project: "acme/secret",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      title: "secret landing",
      position: 1,
      session_id: landed,
      landings: null,
    });
    expect(items.find((i) => i.type === "project" && i.project === "acme/open")).toMatchObject({
      actor: "acme",
      title: "open",
      position: null,
      session_id: null,
    });
    // Newest first, as on the home page, whose feed names the same projects in the same order.
    const times = items.map((i) => Date.parse(i.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const web = await fetch(`${f.url}/`, {
      headers: { accept: "text/html", authorization: `Bearer ${r.tokens.member}` },
    });
    const html = await web.text();
    const section = html.slice(
      html.indexOf('<section class="feed"'),
      html.indexOf("</section>", html.indexOf('<section class="feed"')),
    );
    const onPage = [...section.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]);
    expect(onPage.length).toBeGreaterThan(3);
    expect(onPage).toEqual(items.map((i) => i.created_at));
  });

  it("shows a private project's events only to those who may read it", async () => {
    const projects = async (who: Who) => (await feed(who)).items.map((i) => i.project);
    expect(await projects("member")).toContain("acme/secret");
    expect(await projects("owner")).toContain("acme/secret");
    const oscar = await projects("other");
    expect(oscar).toContain("acme/open");
    expect(oscar).not.toContain("acme/secret");
    expect((await feed("other")).items.some((i) => i.title.includes("secret"))).toBe(false);
  });

  it("pages by next_cursor: 20 a page, every event once, in order", async () => {
    for (let i = 0; i < 22; i++) {
      const p = await r.call("owner", "POST", "/api/v1/projects", { handle: `p-${i}` });
      expect(p.status).toBe(201);
    }
    const first = await feed("other");
    expect(first.items).toHaveLength(20);
    expect(first.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await feed("other", first.next_cursor!);
    expect(second.next_cursor).toBeNull();
    const all = [...first.items, ...second.items];
    // oscar sees the 22 new projects, acme/open's creation and its landing; nothing private.
    expect(all.filter((i) => i.type === "project" && i.project.startsWith("olivia/p-"))).toHaveLength(22);
    expect(all.map((i) => `${i.type} ${i.project}`).sort()).toEqual(
      [
        ...Array.from({ length: 22 }, (_, i) => `project olivia/p-${i}`),
        "landing acme/open",
        "project acme/open",
      ].sort(),
    );
    const times = all.map((i) => Date.parse(i.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("refuses cursors it did not make", async () => {
    for (const bad of ["not a cursor", "abc", Buffer.from('{"p":9999}').toString("base64url"), "e30"]) {
      const res = await r.call("other", "GET", `/api/v1/user/feed?cursor=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.errors[0].field).toBe("cursor");
    }
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await r.call("anonymous", "GET", "/api/openapi.json")).body;
    expect(doc.paths["/v1/user/feed"].get.responses["401"]).toBeDefined();
    expect(Object.keys(doc.components.schemas.FeedEvent.properties)).toEqual([
      "type",
      "actor",
      "project",
      "created_at",
      "title",
      "position",
      "session_id",
      "landings",
      "url",
    ]);
  });
});
