// The /search page: results on each tab, sort and paging links, the helpful empty states,
// a clear 400 for a bad query, output escaped, and the search box in the site header.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("search pages", () => {
  let f: TestForge;
  let visitor: Browser;

  beforeAll(async () => {
    f = await startTestForge();
    const owner = await userWithToken(f.url, "pia");
    await api(f.url, "POST", "/api/v1/orgs", {
      token: owner.token,
      json: { handle: "lanterns", name: "Lantern Guild" },
    });
    for (let i = 1; i <= 23; i++) {
      await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle: `lamp-${i}`, description: `lamp number ${i} <b>bold</b>` },
      });
    }
    visitor = new Browser(f.url);
  });
  afterAll(() => f.close());

  it("has a search box in the header of every page", async () => {
    const home = await visitor.get("/");
    expect(home.html).toMatch(/<form method="get" action="\/search"><input type="search" name="q"/);
  });

  it("explains what it searches when there is no query", async () => {
    const r = await visitor.get("/search");
    expect(r.status).toBe(200);
    expect(r.html).toContain("Find projects by name, description or README");
  });

  it("lists matching projects with escaped descriptions, and pages through them", async () => {
    const r = await visitor.get("/search?q=lamp");
    expect(r.status).toBe(200);
    expect(r.html).toContain('aria-current="page">Projects</a>');
    expect(r.html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(r.html).not.toContain("<b>bold</b>");
    expect((r.html.match(/href="\/pia\/lamp-\d+"/g) ?? []).length).toBe(20);
    const next = /href="(\/search\?q=lamp&amp;type=projects&amp;cursor=[^"]+)" rel="next"/.exec(r.html)?.[1];
    expect(next).toBeDefined();
    const second = await visitor.get(next!.replaceAll("&amp;", "&"));
    expect((second.html.match(/href="\/pia\/lamp-\d+"/g) ?? []).length).toBe(3);
    expect(second.html).toContain("First page");
    expect(second.html).not.toContain('rel="next"');
  });

  it("keeps the sort choice and offers it only for projects", async () => {
    const r = await visitor.get("/search?q=lamp&sort=recent");
    expect(r.html).toContain('<option value="recent" selected="">');
    expect(r.html).toMatch(/href="\/search\?q=lamp&amp;type=users"/);
    const users = await visitor.get("/search?q=pia&type=users");
    expect(users.html).not.toContain('name="sort"');
    expect(users.html).toContain('href="/pia"');
  });

  it("finds organizations with their member count", async () => {
    const r = await visitor.get("/search?q=guild&type=orgs");
    expect(r.html).toContain('href="/lanterns"');
    expect(r.html).toContain("1 member");
  });

  it("says when nothing matches and where else to look", async () => {
    const r = await visitor.get("/search?q=zzzzqqqqxxxx&type=users");
    expect(r.status).toBe(200);
    expect(r.html).toContain("No users match “zzzzqqqqxxxx”.");
    expect(r.html).toContain('href="/search?q=zzzzqqqqxxxx&amp;type=projects"');
  });

  it("shows near spellings when the words match nothing", async () => {
    const r = await visitor.get("/search?q=lammp-17");
    expect(r.html).toContain("these have similar names");
    expect(r.html).toContain('href="/pia/lamp-17"');
  });

  it("answers a bad query or cursor with the form, the reason and a 400", async () => {
    const long = await visitor.get(`/search?q=${"x".repeat(300)}`);
    expect(long.status).toBe(400);
    expect(long.html).toContain("q must be at most 256 characters");
    expect(long.html).toContain('name="q"');
    const cursor = await visitor.get("/search?q=lamp&cursor=nope!");
    expect(cursor.status).toBe(400);
    expect(cursor.html).toContain("cursor is not valid");
    const script = await visitor.get(`/search?q=${encodeURIComponent("<script>x</script>")}`);
    expect(script.status).toBe(200);
    expect(script.html).not.toContain("<script>x</script>");
  });
});
