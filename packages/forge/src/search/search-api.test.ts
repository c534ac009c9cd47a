// Project, user and organization search over the API: ranking, the trigram fallback, paging,
// sorting, who sees private projects, and hostile query strings that must never be a 500.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { setUpRoles, type Who } from "../testing/roles.ts";

describe("search API", () => {
  let f: TestForge;
  const tokens: Partial<Record<Who, string>> = {};
  const search = (path: string, who: Who = "anonymous") =>
    api(f.url, "GET", `/api/v1/search/${path}`, { token: tokens[who] });
  const names = (body: { items: Array<{ full_name: string }> }) => body.items.map((p) => p.full_name);
  const create = async (token: string, json: Record<string, unknown>) => {
    const r = await api(f.url, "POST", "/api/v1/projects", { token, json });
    expect(r.status).toBe(201);
  };

  beforeAll(async () => {
    f = await startTestForge();
    const roles = await setUpRoles(f.url, { org: { name: "Acme Works" } });
    Object.assign(tokens, roles.tokens);
    const owner = roles.accounts.owner;
    // Ranking: the name match must beat a description that says the word many times.
    await create(owner.token, {
      handle: "chatter",
      description: "zephyr zephyr zephyr: all about zephyr, the zephyr of zephyrs",
    });
    await create(owner.token, { handle: "zephyr", description: "a small tool" });
    await create(owner.token, { handle: "micelio-toolkit", description: "helpers" });
    await create(owner.token, {
      handle: "hidden-zebra",
      owner: "acme",
      visibility: "private",
      description: "private zebra plans",
    });
    await create(owner.token, { handle: "open-zebra", owner: "acme", description: "public zebra plans" });
    for (let i = 1; i <= 5; i++)
      await create(owner.token, { handle: `pagetest-${i}`, description: "paging" });
  });
  afterAll(() => f.close());

  it("ranks a name match above a description-only match", async () => {
    const r = await search("projects?q=zephyr");
    expect(r.status).toBe(200);
    expect(r.body.match).toBe("text");
    expect(names(r.body)).toEqual(["olivia/zephyr", "olivia/chatter"]);
  });

  it("sorts by stars: the most-starred project first, whatever the relevance", async () => {
    for (const who of ["member", "other", "admin"] as const) {
      const r = await api(f.url, "PUT", "/api/v1/user/starred/olivia/chatter", { token: tokens[who] });
      expect(r.status).toBe(204);
    }
    expect(names((await search("projects?q=zephyr")).body)).toEqual(["olivia/zephyr", "olivia/chatter"]);
    const byStars = await search("projects?q=zephyr&sort=stars");
    expect(names(byStars.body)).toEqual(["olivia/chatter", "olivia/zephyr"]);
    expect(byStars.body.items[0].stars_count).toBe(3);
  });

  it("finds a misspelled name through trigram similarity when the words match nothing", async () => {
    const r = await search("projects?q=miclio-toolkt");
    expect(r.status).toBe(200);
    expect(r.body.match).toBe("similar");
    expect(names(r.body)[0]).toBe("olivia/micelio-toolkit");
    const none = await search("projects?q=qqqqxxxxjjjj");
    expect(none.body).toEqual({ items: [], next_cursor: null, match: "similar" });
  });

  it("searches the description after an edit", async () => {
    expect(names((await search("projects?q=quokka")).body)).toEqual([]);
    const u = await api(f.url, "PATCH", "/api/v1/projects/olivia/micelio-toolkit", {
      token: tokens.owner,
      json: { description: "helpers for quokka wrangling" },
    });
    expect(u.status).toBe(200);
    const r = await search("projects?q=quokka");
    expect(r.body.match).toBe("text");
    expect(names(r.body)).toEqual(["olivia/micelio-toolkit"]);
  });

  it("shows private projects only to those who can read them, in text and similar results", async () => {
    const expected: Record<Who, boolean> = {
      anonymous: false,
      other: false,
      member: true,
      owner: true,
      admin: true,
    };
    for (const [who, sees] of Object.entries(expected) as [Who, boolean][]) {
      const text = await search("projects?q=zebra", who);
      expect(text.status).toBe(200);
      expect(names(text.body).includes("acme/hidden-zebra"), `${who} full text`).toBe(sees);
      expect(names(text.body)).toContain("acme/open-zebra");
      const similar = await search("projects?q=hiden-zebar", who);
      expect(similar.body.match).toBe("similar");
      expect(names(similar.body).includes("acme/hidden-zebra"), `${who} similar`).toBe(sees);
      for (const sort of ["recent", "stars"]) {
        const sorted = await search(`projects?q=zebra&sort=${sort}`, who);
        expect(names(sorted.body).includes("acme/hidden-zebra"), `${who} ${sort}`).toBe(sees);
      }
    }
    // A token without project:read sees what anonymous visitors see.
    const narrow = await userWithToken(f.url, "nora", ["session:write"]);
    await api(f.url, "PUT", "/api/v1/orgs/acme/members/nora", {
      token: tokens.owner,
      json: { role: "member" },
    });
    const r = await api(f.url, "GET", "/api/v1/search/projects?q=zebra", { token: narrow.token });
    expect(names(r.body)).toEqual(["acme/open-zebra"]);
  });

  it("pages through results with next_cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await search(`projects?q=paging&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...names(r.body));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5].map((i) => `olivia/pagetest-${i}`));
  });

  it("sorts by recent activity", async () => {
    await api(f.url, "PATCH", "/api/v1/projects/olivia/pagetest-3", {
      token: tokens.owner,
      json: { description: "paging, edited last" },
    });
    const r = await search("projects?q=paging&sort=recent");
    expect(names(r.body)[0]).toBe("olivia/pagetest-3");
  });

  it("finds users and organizations, misspelled too", async () => {
    const users = await search("users?q=olivia");
    expect(users.status).toBe(200);
    expect(users.body.items[0]).toMatchObject({ handle: "olivia", kind: "user" });
    expect(users.body.items[0].email).toBeUndefined();
    expect((await search("users?q=olivai")).body.items.map((u: { handle: string }) => u.handle)).toContain(
      "olivia",
    );
    expect((await search("users?q=acme")).body.items).toEqual([]);
    const orgs = await search("orgs?q=works");
    expect(orgs.body.items).toEqual([
      expect.objectContaining({ handle: "acme", kind: "organization", members_count: 3 }),
    ]);
    expect((await search("orgs?q=olivia")).body.items).toEqual([]);
  });

  const HOSTILE = [
    "'",
    "a & b",
    ":*",
    "\\",
    "(((",
    ")))",
    "!",
    "<->",
    "a <-> b",
    "!!(a | b) & :* 'c'",
    '"unterminated',
    "-",
    "--",
    "or",
    "the",
    ".*[",
    "^$|+?{}",
    "%",
    "_",
    "%_\\%",
    "\u00e9\u00e8 \u4e2d\u6587 \u{1f600}",
    "x".repeat(256),
  ];

  it("answers every hostile query with results, never a 500", async () => {
    for (const kind of ["projects", "users", "orgs"]) {
      for (const q of HOSTILE) {
        const r = await search(`${kind}?q=${encodeURIComponent(q)}`, "member");
        expect(r.status, `${kind} ${JSON.stringify(q)}`).toBe(200);
        expect(Array.isArray(r.body.items)).toBe(true);
      }
    }
  });

  it("takes malformed percent-encoding without a 5xx", async () => {
    for (const raw of ["%", "%ZZ", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "a%2", "%FF%FE"]) {
      for (const kind of ["projects", "users", "orgs"]) {
        const r = await search(`${kind}?q=${raw}`);
        expect([200, 400], `${kind} ${raw}`).toContain(r.status);
      }
      const page = await fetch(`${f.url}/search?q=${raw}`, { headers: { accept: "text/html" } });
      expect([200, 400], `page ${raw}`).toContain(page.status);
    }
  });

  it("refuses bad parameters with a 400 problem", async () => {
    const bad = [
      "projects",
      "projects?q=",
      "projects?q=%20%20",
      `projects?q=${"x".repeat(257)}`,
      `projects?q=${"word ".repeat(2000)}`, // 10 kB of text
      "projects?q=a%00b",
      "projects?q=a%0Ab",
      "projects?q=a&sort=popular",
      "projects?q=a&limit=0",
      "projects?q=a&limit=101",
      "projects?q=a&limit=abc",
      "projects?q=a&cursor=garbage!",
      `projects?q=a&cursor=${Buffer.from('{"o":-1,"m":"t"}').toString("base64url")}`,
      `projects?q=a&cursor=${Buffer.from("not json").toString("base64url")}`,
      "users?q=",
      `orgs?q=${"y".repeat(10_000)}`,
    ];
    for (const path of bad) {
      const r = await search(path);
      expect(r.status, path).toBe(400);
      expect(r.headers.get("content-type"), path).toContain("application/problem+json");
      expect(r.body.status).toBe(400);
    }
  });

  it("never answers an arbitrary query string with a 5xx (property)", async () => {
    const meta = fc.constantFrom(..."'&|!:*()<>\\\"%_-.[]{}^$+?~@#".split(""), " ", "\t", "\n", "\u0000");
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.array(fc.oneof(meta, fc.string({ maxLength: 3 })), { maxLength: 40 }).map((a) => a.join("")),
    );
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom("projects", "users", "orgs"), async (q, kind) => {
        const r = await search(`${kind}?q=${encodeURIComponent(q)}`, "owner");
        expect(r.status).toBeLessThan(500);
        expect([200, 400]).toContain(r.status);
      }),
      { numRuns: 150 },
    );
  });
});
