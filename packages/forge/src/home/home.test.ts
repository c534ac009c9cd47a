// Following and the home page on a real forge: the follows API (idempotent, 204, lists, self
// and unknown accounts), the Follow button on profiles, the feed of followed accounts and
// starred projects, popular projects by stars/activity/trending with pages, and the empty
// state. Private projects never show to anyone without access: anonymous visitors, another
// user and an organization member each see exactly what they may read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous } from "../accounts/viewer.ts";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { popularProjects } from "./popular.ts";

type User = Awaited<ReturnType<typeof userWithToken>>;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("follows, feed and popular projects", () => {
  let f: TestForge;
  let alice: User; // owns alice/pub, alice/secret and the organization team (team/hidden)
  let bob: User; // member of team; follows alice
  let carol: User; // another user; follows alice
  let dave: User; // new: follows nobody, then stars carol/solo

  const call = (u: User | null, method: string, path: string, json?: unknown) =>
    api(f.url, method, path, { token: u?.token, json });
  const page = async (path: string, u?: User) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (u) headers.authorization = `Bearer ${u.token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, html: await res.text() };
  };
  const feedOf = (html: string) =>
    html.slice(
      html.indexOf('<section class="feed"'),
      html.indexOf("</section>", html.indexOf('<section class="feed"')),
    );
  const project = async (u: User, handle: string, visibility: string, owner?: string) => {
    const r = await call(u, "POST", "/api/v1/projects", {
      handle,
      visibility,
      owner,
      description: `About ${handle}`,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const land = async (u: User, full: string, goal: string) => {
    const base = `/api/v1/projects/${full}`;
    const s = await call(u, "POST", `${base}/sessions`, { goal });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const changes = [{ path: `${goal.replace(/\W+/g, "-")}.txt`, content: b64(goal) }];
    expect((await call(u, "PUT", `${base}/sessions/${s.body.id}/changes`, { changes })).status).toBe(200);
    expect((await call(u, "POST", `${base}/sessions/${s.body.id}/land`)).status).toBe(200);
  };

  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
    carol = await userWithToken(f.url, "carol");
    dave = await userWithToken(f.url, "dave");
    expect((await call(alice, "POST", "/api/v1/orgs", { handle: "team" })).status).toBe(201);
    expect(
      (await call(alice, "PUT", "/api/v1/orgs/team/members/bob", { role: "member" })).status,
    ).toBeLessThan(300);
    await project(alice, "pub", "public");
    await project(alice, "secret", "private");
    await project(alice, "hidden", "private", "team");
    await project(carol, "solo", "public");
    await land(alice, "alice/pub", "public work");
    await land(alice, "alice/secret", "secret work");
    await land(alice, "team/hidden", "hidden work");
    expect((await call(carol, "PUT", "/api/v1/user/starred/alice/pub")).status).toBe(204);
  });
  afterAll(() => f.close());

  it("follows through the API: idempotent, listed both ways, refused for oneself", async () => {
    expect((await call(null, "PUT", "/api/v1/user/following/alice")).status).toBe(401);
    expect((await call(carol, "PUT", "/api/v1/user/following/alice")).status).toBe(204);
    expect((await call(carol, "PUT", "/api/v1/user/following/alice")).status).toBe(204);
    expect((await call(carol, "GET", "/api/v1/user/following/alice")).status).toBe(204);
    expect((await call(carol, "GET", "/api/v1/user/following/bob")).status).toBe(404);
    expect((await call(carol, "PUT", "/api/v1/user/following/carol")).status).toBe(400);
    expect((await call(carol, "PUT", "/api/v1/user/following/nobody-here")).status).toBe(404);
    expect((await call(bob, "PUT", "/api/v1/user/following/alice")).status).toBe(204);
    expect((await call(bob, "PUT", "/api/v1/user/following/team")).status).toBe(204);
    const followers = await call(null, "GET", "/api/v1/users/alice/followers");
    expect(followers.status).toBe(200);
    expect(followers.body.map((u: { handle: string }) => u.handle)).toEqual(["bob", "carol"]);
    expect(typeof followers.body[0].followed_at).toBe("string");
    const following = await call(null, "GET", "/api/v1/users/bob/following");
    expect(following.body.map((u: { handle: string }) => u.handle)).toEqual(["team", "alice"]);
    expect((await call(null, "GET", "/api/v1/users/nobody-here/followers")).status).toBe(404);
    expect((await call(bob, "DELETE", "/api/v1/user/following/team")).status).toBe(204);
    expect((await call(bob, "DELETE", "/api/v1/user/following/team")).status).toBe(204);
    expect((await call(null, "GET", "/api/v1/users/team/followers")).body).toEqual([]);
    expect((await call(bob, "PUT", "/api/v1/user/following/team")).status).toBe(204);
  });

  it("the feed shows followed accounts' activity, never private projects to those without access", async () => {
    const carolFeed = feedOf((await page("/", carol)).html);
    expect(carolFeed).toContain("public work");
    expect(carolFeed).toContain('<a href="/alice" class="feed-actor">alice</a>');
    expect(carolFeed).not.toContain("secret");
    expect(carolFeed).not.toContain("hidden");
    // bob is a member of team: its private project's landing shows; alice's own private one does not.
    const bobFeed = feedOf((await page("/", bob)).html);
    expect(bobFeed).toContain("public work");
    expect(bobFeed).toContain("hidden work");
    expect(bobFeed).not.toContain("secret");
    // The owner's own home lists her and her organization's projects.
    const aliceHome = (await page("/", alice)).html;
    for (const p of ["alice/pub", "alice/secret", "team/hidden"]) expect(aliceHome).toContain(`href="/${p}"`);
  });

  it("a new user gets help and popular projects instead of an empty feed; stars fill it", async () => {
    const home = (await page("/", dave)).html;
    expect(home).toContain("Popular projects to start with");
    expect(home).toContain('href="/alice/pub"');
    expect(home).not.toContain("secret");
    expect(home).not.toContain("team/hidden");
    expect((await call(dave, "PUT", "/api/v1/user/starred/carol/solo")).status).toBe(204);
    await land(carol, "carol/solo", "solo landing");
    const feed = feedOf((await page("/", dave)).html);
    expect(feed).toContain("solo landing");
    expect(feed).not.toContain("Popular projects to start with");
  });

  it("the Follow button on a profile follows and unfollows", async () => {
    const web = new Browser(f.url);
    expect((await web.submit("/login", "/login", { login: "dave", password: dave.password })).status).toBe(
      303,
    );
    expect((await web.get("/alice")).html).toMatch(/<button[^>]*>Follow<\/button>/);
    const r = await web.submit("/alice", "/users/alice/follow", { follow: "1" });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/alice");
    const after = (await web.get("/alice")).html;
    expect(after).toMatch(/<button[^>]*>Unfollow<\/button>/);
    expect(after).toContain("3 followers");
    expect((await call(dave, "GET", "/api/v1/user/following/alice")).status).toBe(204);
    await web.submit("/alice", "/users/alice/follow", { follow: "0" });
    expect((await call(dave, "GET", "/api/v1/user/following/alice")).status).toBe(404);
    // No button on one's own profile; none for visitors.
    expect((await web.get("/dave")).html).not.toMatch(/>Follow<\/button>/);
    expect((await page("/alice")).html).not.toMatch(/>Follow<\/button>/);
  });

  it("popular projects: by stars, by activity, trending, with pages; private ones hidden", async () => {
    expect((await call(bob, "PUT", "/api/v1/user/starred/alice/pub")).status).toBe(204); // 2 stars; solo has 1
    const anon = (await page("/?sort=stars")).html;
    expect(anon.indexOf('href="/alice/pub"')).toBeGreaterThan(-1);
    expect(anon.indexOf('href="/alice/pub"')).toBeLessThan(anon.indexOf('href="/carol/solo"'));
    expect(anon).toContain('aria-current="page">Most starred');
    for (const html of [
      anon,
      (await page("/?sort=trending")).html,
      (await page("/explore?sort=active", carol)).html,
    ]) {
      expect(html).not.toContain("alice/secret");
      expect(html).not.toContain("team/hidden");
    }
    const active = (await page("/?sort=active")).html;
    expect(active.indexOf('href="/carol/solo"')).toBeLessThan(active.indexOf('href="/alice/pub"'));
    // A member sees the organization's private project among popular ones; another user does not.
    expect((await page("/explore?sort=active", bob)).html).toContain('href="/team/hidden"');
    expect((await page("/explore?sort=active", carol)).html).not.toContain('href="/team/hidden"');
    // Pages: two per page.
    const db = f.forge.db;
    const first = await popularProjects(db, anonymous(), "stars", 1, 1);
    const second = await popularProjects(db, anonymous(), "stars", 2, 1);
    const third = await popularProjects(db, anonymous(), "stars", 3, 1);
    expect(first.projects.map((p) => p.handle)).toEqual(["pub"]);
    expect(first.more).toBe(true);
    expect(second.projects.map((p) => p.handle)).toEqual(["solo"]);
    expect(second.more).toBe(false);
    expect(third.projects).toEqual([]);
    const trending = await popularProjects(db, anonymous(), "trending", 1);
    expect(trending.projects.find((p) => p.handle === "pub")?.trend).toBe(3); // a landing and two stars
    const later = await popularProjects(
      db,
      anonymous(),
      "trending",
      1,
      12,
      new Date(Date.now() + 8 * 86_400_000),
    );
    expect(later.projects).toEqual([]);
    expect((await page("/?sort=stars&page=2")).html).toContain("No more projects");
  });
});
