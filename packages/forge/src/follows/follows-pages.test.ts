// The follower and following pages on a real forge: what anonymous and signed-in viewers see,
// following from a list (and coming back to it; never to another site), pages of 30 in the
// API's order, the empty states, 404 for unknown accounts, suspended ones shown as their
// profile is but left out of others' lists and counts, the profile's counts linking here, and a project called "followers"
// keeping its own page at /{owner}/followers.
import { ulid } from "@micelio/core/ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { setUpRoles } from "../testing/roles.ts";
import { FOLLOWS_PAGE_SIZE } from "./follows-pages.tsx";

type Roles = Awaited<ReturnType<typeof setUpRoles>>;

/** Handles of the listed accounts, in order. */
const listed = (html: string) =>
  [...html.matchAll(/<a href="\/([^"]+)" class="follow-who">/g)].map((m) => m[1]);
/** The row of one account in a list. */
const rowOf = (html: string, handle: string) => {
  const start = html.indexOf(`<a href="/${handle}" class="follow-who">`);
  expect(start, `${handle} listed`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</li>", start));
};

describe("follower and following pages", () => {
  let f: TestForge;
  let r: Roles;

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url, { browsers: true });
    // mia, then oscar, follow olivia; mia and olivia follow the organization acme.
    for (const [who, target] of [
      ["member", "olivia"],
      ["other", "olivia"],
      ["member", "acme"],
      ["owner", "acme"],
    ] as const) {
      expect((await r.call(who, "PUT", `/api/v1/user/following/${target}`)).status).toBe(204);
    }
    expect(
      (await r.call("member", "PATCH", "/api/v1/user", { name: "Mia M", bio: "Writes <b>docs</b>" })).status,
    ).toBe(200);
  });
  afterAll(() => f.close());

  it("shows anonymous visitors who follows an account, newest first, with a way back and no buttons", async () => {
    const page = await r.browsers.anonymous.get("/users/olivia/followers");
    expect(page.status).toBe(200);
    expect(page.html).toContain("<title>Followers of olivia · Micelio</title>");
    expect(page.html).toContain('<a href="/olivia">Back to the profile</a>');
    expect(listed(page.html)).toEqual(["oscar", "mia"]);
    const mia = rowOf(page.html, "mia");
    expect(mia).toContain("<strong>Mia M</strong>");
    expect(mia).toContain("Writes &lt;b&gt;docs&lt;/b&gt;"); // the bio line, escaped
    expect(page.html).not.toContain("<button");
    expect(page.html).toMatch(/aria-current="page">Followers <span class="count">2<\/span>/);
    expect(page.html).toContain('Following <span class="count">1</span>');

    const following = await r.browsers.anonymous.get("/users/mia/following");
    expect(following.html).toContain("Followed by Mia M");
    expect(listed(following.html)).toEqual(["acme", "olivia"]);
    expect(rowOf(following.html, "acme")).toContain('<span class="badge">organization</span>');
    expect(listed((await r.browsers.anonymous.get("/users/acme/followers")).html)).toEqual(["olivia", "mia"]);
    // Organizations follow no one: no Following tab, no "following" count on their profile.
    expect((await r.browsers.anonymous.get("/users/acme/followers")).html).not.toContain(
      "/users/acme/following",
    );
    const acmeProfile = (await r.browsers.anonymous.get("/acme")).html;
    expect(acmeProfile).toContain('href="/users/acme/followers"');
    expect(acmeProfile).not.toContain("/users/acme/following");
    expect((await r.browsers.anonymous.get("/mia")).html).toContain('href="/users/mia/following"');
  });

  it("the profile's counts link to the lists", async () => {
    const profile = (await r.browsers.anonymous.get("/olivia")).html;
    expect(profile).toContain('<a href="/users/olivia/followers">2 followers</a>');
    expect(profile).toContain('<a href="/users/olivia/following">1 following</a>');
  });

  it("lets a signed-in viewer follow from a list and come back to it, never elsewhere", async () => {
    const ada = r.browsers.admin;
    const before = (await ada.get("/users/olivia/followers")).html;
    expect(rowOf(before, "mia")).toMatch(
      /<button type="submit" class="small">Follow<span class="visually-hidden"> mia/,
    );
    expect(rowOf(before, "mia")).toContain('name="return_to" value="/users/olivia/followers"');
    const done = await ada.submit("/users/olivia/followers", "/users/mia/follow", {
      follow: "1",
      return_to: "/users/olivia/followers?page=1",
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe("/users/olivia/followers?page=1");
    expect(rowOf((await ada.get("/users/olivia/followers")).html, "mia")).toContain(">Unfollow<");
    expect((await r.call("admin", "GET", "/api/v1/user/following/mia")).status).toBe(204);
    for (const evil of [
      "//evil.example/x",
      "https://evil.example/",
      "/\\evil.example",
      "javascript:alert(1)",
    ]) {
      const back = await ada.submit("/users/olivia/followers", "/users/mia/follow", {
        follow: "0",
        return_to: evil,
      });
      expect(back.location, evil).toBe("/mia");
    }
    expect((await r.call("admin", "GET", "/api/v1/user/following/mia")).status).toBe(404);
    // Without return_to (the profile's button), back to the profile.
    expect((await ada.submit("/mia", "/users/mia/follow", { follow: "1" })).location).toBe("/mia");
    expect((await ada.submit("/mia", "/users/mia/follow", { follow: "0" })).location).toBe("/mia");
  });

  it("shows no button on the viewer's own row", async () => {
    const html = (await r.browsers.member.get("/users/olivia/followers")).html;
    expect(rowOf(html, "mia")).not.toContain("<button");
    expect(rowOf(html, "oscar")).toMatch(/>Follow<span class="visually-hidden"> oscar/);
  });

  it("says helpfully when a list is empty", async () => {
    const anon = r.browsers.anonymous;
    expect((await anon.get("/users/ada/followers")).html).toContain("No one follows @ada yet.");
    expect((await anon.get("/users/ada/following")).html).toContain("@ada follows no one yet.");
    expect((await anon.get("/users/acme/following")).html).toContain("Organizations do not follow anyone.");
    expect((await r.browsers.admin.get("/users/ada/followers")).html).toContain("No one follows you yet.");
    const mine = (await r.browsers.admin.get("/users/ada/following")).html;
    expect(mine).toContain("You follow no one yet.");
    expect(mine).toContain('<a href="/search">search</a>');
    const past = (await anon.get("/users/olivia/followers?page=5")).html;
    expect(past).toContain("No more accounts.");
    expect(past).toContain('<a href="/users/olivia/followers">Back to the first page</a>');
  });

  it("pages 30 accounts at a time in the API's order", async () => {
    const db = f.forge.db;
    const acme = await db
      .selectFrom("accounts")
      .select("id")
      .where("handle", "=", "acme")
      .executeTakeFirstOrThrow();
    const base = Date.parse("2030-01-01T00:00:00Z"); // after the follows made above
    const extra = FOLLOWS_PAGE_SIZE + 3;
    for (let i = 0; i < extra; i++) {
      const id = ulid();
      const handle = `fan-${String(i).padStart(2, "0")}`;
      await db
        .insertInto("accounts")
        .values({ id, kind: "user", handle, email: `${handle}@example.test`, password_hash: null })
        .execute();
      await db
        .insertInto("follows")
        .values({ follower_id: id, followee_id: acme.id, created_at: new Date(base + i * 1000) })
        .execute();
    }
    const anon = r.browsers.anonymous;
    const first = (await anon.get("/users/acme/followers")).html;
    const second = (await anon.get("/users/acme/followers?page=2")).html;
    expect(listed(first)).toHaveLength(FOLLOWS_PAGE_SIZE);
    expect(listed(first)[0]).toBe(`fan-${extra - 1}`);
    expect(first).toContain('<a href="/users/acme/followers?page=2" rel="next">');
    expect(first).not.toContain('rel="prev"');
    expect(listed(second)).toEqual(["fan-02", "fan-01", "fan-00", "olivia", "mia"]);
    expect(second).toContain('<a href="/users/acme/followers" rel="prev">');
    expect(second).not.toContain('rel="next"');
    const fromApi = async (offset: number) =>
      (await r.call("anonymous", "GET", `/api/v1/users/acme/followers?limit=30&offset=${offset}`)).body.map(
        (u: { handle: string }) => u.handle,
      );
    expect(listed(first)).toEqual(await fromApi(0));
    expect(listed(second)).toEqual(await fromApi(30));
    expect(first).toContain(`Followers <span class="count">${extra + 2}</span>`);
  });

  it("404s with the profile; a suspended account is hidden and leaves lists and counts", async () => {
    const anon = r.browsers.anonymous;
    expect((await anon.get("/users/nobody-here/followers")).status).toBe(404);
    expect((await anon.get("/users/nobody-here/following")).status).toBe(404);
    expect(
      (await r.call("admin", "POST", "/api/v1/admin/users/oscar/suspend", { reason: "spam" })).status,
    ).toBe(200);
    try {
      // The suspended account is hidden like its profile, except from administrators.
      for (const path of ["/oscar", "/users/oscar/following", "/users/oscar/followers"])
        expect((await anon.get(path)).status, path).toBe(404);
      const admin = r.browsers.admin;
      expect((await admin.get("/oscar")).status).toBe(200);
      expect(listed((await admin.get("/users/oscar/following")).html)).toEqual(["olivia"]);
      expect((await admin.get("/users/oscar/followers")).html).toContain("No one follows @oscar yet.");
      const olivia = (await anon.get("/users/olivia/followers")).html;
      expect(listed(olivia)).toEqual(["mia"]);
      expect(olivia).toContain('Followers <span class="count">1</span>');
      expect((await anon.get("/olivia")).html).toContain("1 follower</a>");
    } finally {
      expect((await r.call("admin", "POST", "/api/v1/admin/users/oscar/unsuspend")).status).toBe(200);
    }
    expect(listed((await anon.get("/users/olivia/followers")).html)).toEqual(["oscar", "mia"]);
  });

  it("leaves /{owner}/followers to a project of that name", async () => {
    const created = await r.call("owner", "POST", "/api/v1/projects", {
      handle: "followers",
      description: "A project named followers",
    });
    expect(created.status).toBe(201);
    const project = await r.browsers.anonymous.get("/olivia/followers");
    expect(project.status).toBe(200);
    expect(project.html).toContain("A project named followers");
    expect(project.html).not.toContain('class="follow-who"');
    expect(listed((await r.browsers.anonymous.get("/users/olivia/followers")).html)).toEqual([
      "oscar",
      "mia",
    ]);
    // Without such a project, /{owner}/followers is simply not a page.
    expect((await r.browsers.anonymous.get("/mia/followers")).status).toBe(404);
  });
});
