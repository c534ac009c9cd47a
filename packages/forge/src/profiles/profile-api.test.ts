// Profiles on a real forge: bio, website and links through PATCH /api/v1/user and the
// settings form (limits, normalization, refused schemes), GET /api/v1/users/{handle},
// avatars (identicon by default, PNG upload resized, a non-image refused, removal), and
// organization profiles edited by owners only.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

async function signIn(f: TestForge, login: string, password: string) {
  const b = new Browser(f.url);
  const r = await b.submit("/login", "/login", { login, password });
  expect(r.status).toBe(303);
  return b;
}

async function upload(
  b: Browser,
  from: string,
  action: string,
  bytes: Uint8Array,
  name: string,
  type: string,
) {
  const page = await b.get(from);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? "";
  const form = new FormData();
  form.append("_csrf", csrf);
  form.append("avatar", new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(b.base + action, {
    method: "POST",
    headers: { cookie: b.cookieHeader, accept: "text/html" },
    body: form,
    redirect: "manual",
  });
  return { status: res.status, html: await res.text(), location: res.headers.get("location") };
}

describe("profiles", () => {
  let f: TestForge;
  let alice: Awaited<ReturnType<typeof userWithToken>>;
  let bob: Awaited<ReturnType<typeof userWithToken>>;
  beforeAll(async () => {
    f = await startTestForge();
    alice = await userWithToken(f.url, "alice");
    bob = await userWithToken(f.url, "bob");
  });
  afterAll(() => f.close());

  it("PATCH /user stores a bio, a normalized website and links; GET /users/{handle} returns them", async () => {
    const r = await api(f.url, "PATCH", "/api/v1/user", {
      token: alice.token,
      json: {
        bio: "Builds forges.",
        website: "example.com",
        links: { github: "@alice", mastodon: "@alice@hachyderm.io", linkedin: "linkedin.com/in/alice" },
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ bio: "Builds forges.", website: "https://example.com" });
    const pub = await api(f.url, "GET", "/api/v1/users/alice");
    expect(pub.body).toMatchObject({
      handle: "alice",
      bio: "Builds forges.",
      website: "https://example.com",
      links: {
        github: "https://github.com/alice",
        mastodon: "https://hachyderm.io/@alice",
        linkedin: "https://linkedin.com/in/alice",
      },
      avatar_url: "/users/alice/avatar",
    });
    expect(pub.body.email).toBeUndefined();
    // A partial update keeps other links; null removes one.
    const r2 = await api(f.url, "PATCH", "/api/v1/user", {
      token: alice.token,
      json: { links: { github: null } },
    });
    expect(r2.body.links).toEqual({
      mastodon: "https://hachyderm.io/@alice",
      linkedin: "https://linkedin.com/in/alice",
    });
    expect(r2.body.bio).toBe("Builds forges.");
  });

  it("refuses a bio over 160 characters, javascript: and data: links, unknown networks, anonymous callers", async () => {
    const cases = [
      { bio: "x".repeat(161) },
      { website: "javascript:alert(1)" },
      { links: { x: "javascript:alert(document.cookie)" } },
      { links: { bluesky: "data:text/html,<script>alert(1)</script>" } },
      { links: { myspace: "https://myspace.com/alice" } },
    ];
    for (const json of cases) {
      const r = await api(f.url, "PATCH", "/api/v1/user", { token: alice.token, json });
      expect(r.status, JSON.stringify(json)).toBe(400);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await api(f.url, "GET", "/api/v1/users/alice")).body.bio).toBe("Builds forges.");
    expect((await api(f.url, "PATCH", "/api/v1/user", { json: { bio: "hi" } })).status).toBe(401);
  });

  it("the settings form saves, refuses a long bio and a javascript: link, and the profile shows icons", async () => {
    const b = await signIn(f, "bob", bob.password);
    const long = await b.submit("/settings/profile", "/settings/profile", { bio: "y".repeat(161) });
    expect(long.status).toBe(400);
    expect(long.html).toContain("at most 160 characters");
    const js = await b.submit("/settings/profile", "/settings/profile", {
      bio: "ok",
      "links.x": "javascript:alert(1)",
    });
    expect(js.status).toBe(400);
    expect(js.html).toContain("Only http and https links are allowed");
    const ok = await b.submit("/settings/profile", "/settings/profile", {
      name: "Bob B",
      bio: "Hello <b>there</b>",
      website: "example.com",
      "links.github": "github.com/bob",
      "links.x": "",
    });
    expect(ok.status).toBe(303);
    const json = (await api(f.url, "GET", "/api/v1/users/bob")).body;
    expect(json).toMatchObject({
      name: "Bob B",
      website: "https://example.com",
      links: { github: "https://github.com/bob" },
    });
    const profile = await b.get("/bob");
    expect(profile.html).toContain("Hello &lt;b&gt;there&lt;/b&gt;");
    expect(profile.html).toContain('href="https://github.com/bob"');
    expect(profile.html).toContain('title="GitHub: github.com/bob"');
    expect(profile.html).toMatch(/<svg class="icon"/);
    // Without the CSRF token the form is refused.
    const forged = await b.submit(
      "/settings/profile",
      "/settings/profile",
      { bio: "forged" },
      { csrf: "nope" },
    );
    expect(forged.status).toBe(403);
  });

  it("serves an identicon by default, then an uploaded PNG resized to 256×256, and can remove it", async () => {
    const ident = await fetch(`${f.url}/users/alice/avatar`);
    expect(ident.headers.get("content-type")).toContain("image/svg+xml");
    expect(ident.headers.get("x-content-type-options")).toBe("nosniff");
    const svg = await ident.text();
    expect(svg).toMatch(/^<svg /);
    expect(await (await fetch(`${f.url}/users/alice/avatar`)).text()).toBe(svg); // deterministic
    expect(await (await fetch(`${f.url}/users/bob/avatar`)).text()).not.toBe(svg);

    const b = await signIn(f, "alice", alice.password);
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: "#3a7" } })
      .png()
      .toBuffer();
    const up = await upload(b, "/settings/profile", "/settings/profile/avatar", png, "me.png", "image/png");
    expect(up.status, up.html.slice(0, 500)).toBe(303);
    const user = (await api(f.url, "GET", "/api/v1/users/alice")).body;
    expect(user.avatar_url).toMatch(/^\/users\/alice\/avatar\?v=[0-9a-f]{16}$/);
    const served = await fetch(f.url + user.avatar_url);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("cache-control")).toContain("immutable");
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 256, 256]);

    // Not an image, whatever its name and declared type; a truncated PNG too.
    const fake = await upload(
      b,
      "/settings/profile",
      "/settings/profile/avatar",
      new TextEncoder().encode("<svg onload=alert(1)>"),
      "x.png",
      "image/png",
    );
    expect(fake.status).toBe(400);
    expect(fake.html).toContain("not a PNG, JPEG or WebP image");
    const truncated = await upload(
      b,
      "/settings/profile",
      "/settings/profile/avatar",
      png.subarray(0, 60),
      "t.png",
      "image/png",
    );
    expect(truncated.status).toBe(400);
    const big = await upload(
      b,
      "/settings/profile",
      "/settings/profile/avatar",
      new Uint8Array(3 * 1024 * 1024),
      "big.png",
      "image/png",
    );
    expect(big.status).toBe(413);
    expect((await api(f.url, "GET", "/api/v1/users/alice")).body.avatar_url).toBe(user.avatar_url);

    const removed = await b.submit("/settings/profile", "/settings/profile/avatar/delete", {});
    expect(removed.status).toBe(303);
    expect((await api(f.url, "GET", "/api/v1/users/alice")).body.avatar_url).toBe("/users/alice/avatar");
    expect((await fetch(`${f.url}/users/alice/avatar`)).headers.get("content-type")).toContain(
      "image/svg+xml",
    );
    expect((await fetch(`${f.url}/users/nobody-here/avatar`)).status).toBe(404);
  });

  it("organization profiles are edited by owners only; the user's page lists the organization", async () => {
    const org = await api(f.url, "POST", "/api/v1/orgs", { token: alice.token, json: { handle: "acme" } });
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    const add = await api(f.url, "PUT", "/api/v1/orgs/acme/members/bob", {
      token: alice.token,
      json: { role: "member" },
    });
    expect(add.status, JSON.stringify(add.body)).toBeLessThan(300);
    const owner = await signIn(f, "alice", alice.password);
    const saved = await owner.submit("/orgs/acme/profile", "/orgs/acme/profile", {
      bio: "We make anvils.",
      website: "acme.example",
      "links.gitlab": "gitlab.com/acme",
    });
    expect(saved.status).toBe(303);
    const json = (await api(f.url, "GET", "/api/v1/users/acme")).body;
    expect(json).toMatchObject({
      bio: "We make anvils.",
      website: "https://acme.example",
      links: { gitlab: "https://gitlab.com/acme" },
    });
    const member = await signIn(f, "bob", bob.password);
    expect((await member.get("/orgs/acme/profile")).status).toBe(403);
    const stranger = await userWithToken(f.url, "carol");
    const carol = await signIn(f, "carol", stranger.password);
    expect((await carol.get("/orgs/acme/profile")).status).toBe(404);

    // The same through the API: owners may, members are refused, strangers are told 404.
    const viaApi = await api(f.url, "PATCH", "/api/v1/orgs/acme", {
      token: alice.token,
      json: { links: { x: "x.com/acme" }, website: "javascript:alert(1)" },
    });
    expect(viaApi.status).toBe(400);
    const okApi = await api(f.url, "PATCH", "/api/v1/orgs/acme", {
      token: alice.token,
      json: { links: { x: "x.com/acme" } },
    });
    expect(okApi.status, JSON.stringify(okApi.body)).toBe(200);
    expect(okApi.body.links).toEqual({ gitlab: "https://gitlab.com/acme", x: "https://x.com/acme" });
    expect(
      (await api(f.url, "PATCH", "/api/v1/orgs/acme", { token: bob.token, json: { bio: "mine" } })).status,
    ).toBe(403);
    expect(
      (await api(f.url, "PATCH", "/api/v1/orgs/acme", { token: stranger.token, json: { bio: "mine" } }))
        .status,
    ).toBe(404);
    expect((await api(f.url, "GET", "/api/v1/users/acme")).body.bio).toBe("We make anvils.");

    const bobPage = await member.get("/bob");
    expect(bobPage.html).toContain('href="/acme"');
    expect(bobPage.html).toMatch(/2 members/);
    const carolPage = await carol.get("/carol");
    expect(carolPage.html).toContain("Not a member of any organization yet.");
  });
});
