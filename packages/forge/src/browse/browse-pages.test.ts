// Code-browsing pages end to end on a real forge with a pushed repository: project home
// (tree + sanitized README, or push instructions when empty), tree, blob, raw, history,
// commit diff, branches and tags; refs with slashes; the read cache; hostile refs and
// paths; and private projects.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { renderCache } from "./browse-service.ts";
import { buildRepo, type Fixture, pushAll } from "./test-repo.ts";

describe("code browsing pages", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-browse-"));
  let f: TestForge;
  let fx: Fixture;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let stranger: Awaited<ReturnType<typeof userWithToken>>;
  const P = "/ada/demo";

  const get = async (path: string, opts: { token?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { accept: "text/html", ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const pushUrl = (project: string) => {
    const u = new URL(`/ada/${project}.git`, f.url);
    [u.username, u.password] = ["ada", owner.token];
    return u.toString();
  };

  beforeAll(async () => {
    f = await startTestForge();
    owner = await userWithToken(f.url, "ada");
    stranger = await userWithToken(f.url, "stranger");
    for (const [handle, visibility] of [
      ["demo", "public"],
      ["secret", "private"],
      ["empty", "public"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, visibility },
      });
      expect(r.status).toBe(201);
    }
    fx = await buildRepo(join(work, "src"));
    await pushAll(fx.src, pushUrl("demo"));
    await pushAll(fx.src, pushUrl("secret"));
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("shows the project home: file tree with last commits and the sanitized README", async () => {
    const page = await get(P);
    expect(page.status).toBe(200);
    const html = page.text;
    const dirs = ["docs", "notes", "src"].map((d) => html.indexOf(`href="${P}/tree/main/${d}"`));
    expect(dirs.every((i) => i > 0)).toBe(true);
    expect(Math.max(...dirs)).toBeLessThan(html.indexOf(`href="${P}/blob/main/README.md"`));
    expect(html).toMatch(
      /README\.md<\/a><\/td><td class="fl-msg"><a href="\/ada\/demo\/commit\/[0-9a-f]{40}" title="Initial import">/,
    );
    expect(html).toContain("Count 30");
    expect(html).toContain(`value="${f.url}/ada/demo.git"`);
    // README: rendered, relative links into the repository, scripts and handlers gone.
    expect(html).toContain('<h1 id="demo-project">Demo project</h1>');
    expect(html).toContain(`href="${P}/blob/main/docs/guide.md"`);
    expect(html).toContain(`src="${P}/raw/main/docs/logo.png"`);
    expect(html).toContain(`src="${P}/raw/main/icon.svg"`);
    // The page's JSON-LD block (meta/json-ld.ts) holds no "<"; with the site's own worker
    // registration (pwa/) it is the only script element.
    const noLd = html
      .replace(/<script type="application\/ld\+json">[^<]*<\/script>/, "")
      .replace('<script src="/assets/pwa.js" defer=""></script>', "");
    for (const bad of ["<script", "readme-script", "onerror", 'href="javascript', "alert('readme-js2')"])
      expect(noLd).not.toContain(bad);
    expect(html).not.toMatch(/(?:href|src)="\s*javascript:/i);
  });

  it("shows an empty repository's clone URL and push commands", async () => {
    const html = (await get("/ada/empty")).text;
    expect(html).toContain("This repository is empty");
    expect(html).toContain(`git remote add origin ${f.url}/ada/empty.git`);
    expect(html).toContain("git push -u origin main");
    expect((await get("/ada/empty/tree/main")).status).toBe(404);
    expect((await get("/ada/empty/commits")).text).toContain("No commits yet");
  });

  it("browses trees with breadcrumbs, a ref picker, and refs with slashes", async () => {
    const src = await get(`${P}/tree/main/src`);
    expect(src.status).toBe(200);
    expect(src.text).toContain(`<a href="${P}/tree/main">demo</a>`);
    expect(src.text).toContain(`href="${P}/blob/main/src/app.ts"`);
    expect(src.text).toContain("Template greeting");
    expect(src.text).toContain(`href="${P}/tree/feature/x"`); // ref picker
    const feature = await get(`${P}/tree/feature/x`);
    expect(feature.text).toContain(`href="${P}/blob/feature/x/feature.txt"`);
    expect((await get(`${P}/blob/feature/x/feature.txt`)).text).toContain("feature work");
    expect((await get(`${P}/tree/v1.0/src`)).text).toContain(`href="${P}/blob/v1.0/src/app.ts"`);
    expect((await get(`${P}/tree/${fx.first}`)).text).not.toContain("counter.txt");
    const notes = await get(`${P}/tree/main/notes`);
    expect(notes.text).toContain(`href="${P}/blob/main/notes/a%20b%20%C3%A9.txt"`);
    expect((await get(`${P}/blob/main/notes/a%20b%20%C3%A9.txt`)).text).toContain("spaces and accents");
    expect((await get(`${P}/tree/main/README.md`)).headers.get("location")).toBe(`${P}/blob/main/README.md`);
    expect((await get(`${P}/blob/main/src`)).headers.get("location")).toBe(`${P}/tree/main/src`);
    expect((await get(`${P}/tree/nope`)).status).toBe(404);
    expect((await get(`${P}/tree/main/nope`)).status).toBe(404);
  });

  it("accepts HEAD as a ref, naming the default branch, as GitHub's URLs do", async () => {
    const blob = await get(`${P}/blob/HEAD/src/app.ts`);
    expect(blob.status).toBe(200);
    expect(blob.text).toContain(`href="${P}/raw/main/src/app.ts"`);
    expect((await get(`${P}/tree/HEAD/src`)).text).toContain(`href="${P}/blob/main/src/app.ts"`);
    const raw = await get(`${P}/raw/HEAD/README.md`);
    expect([raw.status, raw.headers.get("cache-control")]).toEqual([200, "no-cache"]);
    expect(raw.text).toContain("# Demo project");
    expect((await get(`${P}/blame/HEAD/README.md`)).status).toBe(200);
    expect((await get(`${P}/commits/HEAD/src`)).text).toContain("Template greeting");
    const api = await fetch(`${f.url}/api/v1/projects/ada/demo/blob/HEAD/README.md`);
    expect(await api.json()).toMatchObject({ path: "README.md" });
    expect((await get(`/ada/empty/blob/HEAD/README.md`)).status).toBe(404);
    expect((await get(`/ada/secret/blob/HEAD/README.md`)).status).toBe(404);
  });

  it("shows highlighted files with line anchors, and notices for binary and large files", async () => {
    const page = await get(`${P}/blob/main/src/app.ts`);
    expect(page.text).toContain('<tr id="L1"><td class="ln"><a href="#L1">1</a></td>');
    expect(page.text).toMatch(/class="hl-c[0-9a-f]+"/);
    expect(page.text).toContain("&lt;script&gt;alert(&#39;diff&#39;)");
    expect(page.text).toContain(`href="${P}/raw/main/src/app.ts"`);
    expect(page.text).toContain('href="/assets/highlight.css"');
    expect((await get("/assets/highlight.css")).text).toContain(".hl-c");
    expect((await get("/assets/code-lines.js")).headers.get("content-type")).toMatch(/javascript/);
    const big = await get(`${P}/blob/main/big.txt`);
    expect(big.text).toContain("too large to show");
    expect(big.text).not.toContain('id="L1"');
    const bin = await get(`${P}/blob/main/data.bin`);
    expect(bin.text).toContain("binary file");
    expect(bin.text).toContain(`href="${P}/raw/main/data.bin"`);
    const logo = (await get(`${P}/blob/main/docs/logo.png`)).text;
    expect(logo).toContain(`<img src="${P}/raw/main/docs/logo.png"`);
    // Without MICELIO_CDN_URL, pages link the raw routes, never objects by id (cdn-pages.test.ts).
    expect(logo).toContain(`<a href="${P}/raw/main/docs/logo.png">Raw</a>`);
    for (const html of [logo, bin.text, (await get(P)).text]) expect(html).not.toContain("/objects/");
    const md = await get(`${P}/blob/main/docs/guide.md`);
    expect(md.text).toContain(`href="${P}/blob/main/README.md"`); // ../README.md resolved
    expect((await get(`${P}/blob/main/docs/guide.md?plain=1`)).text).toContain('id="L1"');
  });

  it("highlights a file once: the second view is a cache hit", async () => {
    const stats = renderCache(f.forge).stats;
    const before = { ...stats };
    expect((await get(`${P}/blob/main/src/long.ts`)).status).toBe(200);
    const afterFirst = { ...stats };
    expect(afterFirst.misses).toBe(before.misses + 2); // the code table, and the highlight under it
    expect((await get(`${P}/blob/main/src/long.ts`)).status).toBe(200);
    expect(stats.misses).toBe(afterFirst.misses); // served from memory, nothing rendered again
  });

  it("serves raw files with safe types and cache headers", async () => {
    const text = await get(`${P}/raw/main/README.md`);
    expect(text.status).toBe(200);
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(text.headers.get("x-content-type-options")).toBe("nosniff");
    expect(text.headers.get("cache-control")).toBe("no-cache");
    expect(text.text).toContain("# Demo project");
    const pinned = await get(`${P}/raw/${fx.head}/README.md`);
    expect(pinned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const short = await get(`${P}/raw/${fx.head.slice(0, 10)}/README.md`);
    expect(short.status).toBe(200);
    expect(short.headers.get("cache-control")).toBe("no-cache");
    const etag = pinned.headers.get("etag")!;
    expect((await get(`${P}/raw/main/README.md`, { headers: { "if-none-match": etag } })).status).toBe(304);
    for (const path of ["page.html", "icon.svg"]) {
      const r = await get(`${P}/raw/main/${path}`);
      expect(r.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    }
    const svg = await get(`${P}/raw/main/icon.svg`, { headers: { "sec-fetch-dest": "image" } });
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-disposition")).toMatch(/^attachment;/);
    const png = await get(`${P}/raw/main/docs/logo.png`);
    expect(png.headers.get("content-type")).toBe("image/png");
    const bin = await get(`${P}/raw/main/data.bin`);
    expect(bin.headers.get("content-type")).toBe("application/octet-stream");
    expect(bin.headers.get("content-disposition")).toContain('filename="data.bin"');
    const big = await fetch(`${f.url}${P}/raw/main/big.txt`);
    expect(big.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect((await big.arrayBuffer()).byteLength).toBe(Number(big.headers.get("content-length")));
    expect((await get(`${P}/raw/main/src`)).status).toBe(404);
  });

  it("pages through history and shows a commit's diff", async () => {
    const first = await get(`${P}/commits/main`);
    expect(first.text).toContain("Count 30");
    expect(first.text).toContain(`href="${P}/commits/main?page=2"`);
    const second = await get(`${P}/commits/main?page=2`);
    expect(second.text).toContain("Initial import");
    expect(second.text).not.toContain("Count 30");
    expect((await get(`${P}/commits`)).text).toContain("Count 30");
    const file = await get(`${P}/commits/main/src/app.ts`);
    expect(file.text).toContain("Template greeting");
    expect(file.text).not.toContain("Count 1<");
    expect((await get(`${P}/commits/feature/x`)).text).toContain("Feature work");
    const commit = await get(`${P}/commit/${fx.appChange}`);
    expect(commit.text).toContain("Template greeting");
    expect(commit.text).toContain(
      `<tr class="d-add"><td class="lc">+export const markup = &quot;&lt;script&gt;`,
    );
    expect(commit.text).toContain('<tr class="d-del"><td class="lc">-export const answer = 42;</td></tr>');
    const assets = await get(`${P}/commit/${fx.assets.slice(0, 8)}`);
    expect(assets.text).toContain("Binary file not shown");
    expect(assets.text).toContain("Images, a page, binary and large files.");
    expect((await get(`${P}/commit/${"0".repeat(40)}`)).status).toBe(404);
  });

  it("lists branches and tags", async () => {
    const branches = await get(`${P}/branches`);
    expect(branches.text).toContain(`href="${P}/tree/feature/x"`);
    expect(branches.text).toContain('<span class="badge">default</span>');
    const tags = await get(`${P}/tags`);
    expect(tags.text).toContain(`href="${P}/tree/v1.0"`);
    expect(tags.text).toContain(`href="${P}/tree/v0.1"`);
  });

  it("refuses hostile refs and paths before git sees them", async () => {
    const canary = join(work, "canary");
    const bad = [
      `${P}/blob/main/..%2F..%2Fetc%2Fpasswd`,
      `${P}/blob/main/src%2F..%2FREADME.md`,
      `${P}/blob/main/%2Fetc%2Fpasswd`,
      `${P}/raw/main/%2Fetc%2Fpasswd`,
      `${P}/raw/main/README.md%00.txt`,
      `${P}/blob/main/README.md%00`,
      `${P}/tree/--output=${encodeURIComponent(canary)}`,
      `${P}/raw/-c/README.md`,
      `${P}/commits/--output=${encodeURIComponent(canary)}`,
      `${P}/commit/--output=${encodeURIComponent(canary)}`,
      `${P}/commit/HEAD@%7B0%7D`,
      `${P}/tree/main~1`,
      `${P}/raw/main%5E/README.md`,
    ];
    for (const path of bad) {
      const r = await get(path);
      expect([400, 404], path).toContain(r.status);
    }
    // After the ref, a leading dash is just a file name, passed after "--".
    expect((await get(`${P}/commits/main/-p`)).text).toContain("No commits here");
    // A literal "../" sent on the wire (no URL normalization by a client).
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${f.url}${P}/raw/main/src/../../../../etc/passwd`, { method: "GET" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.path = `${P}/raw/main/src/../../../../etc/passwd`;
      req.on("error", reject);
      req.end();
    });
    expect([400, 404]).toContain(status);
    const { existsSync } = await import("node:fs");
    expect(existsSync(canary)).toBe(false);
  });

  it("keeps private projects private: 404 for anonymous visitors and non-members", async () => {
    const S = "/ada/secret";
    const paths = [
      S,
      `${S}/tree/main`,
      `${S}/tree/main/src`,
      `${S}/blob/main/README.md`,
      `${S}/raw/main/README.md`,
      `${S}/raw/${fx.head}/README.md`,
      `${S}/commits`,
      `${S}/commits/main`,
      `${S}/commit/${fx.head}`,
      `${S}/branches`,
      `${S}/tags`,
    ];
    for (const path of paths) {
      const anon = await get(path);
      expect(anon.status, path).toBe(404);
      expect(anon.text).not.toContain("Demo project");
      expect((await get(path, { token: stranger.token })).status, path).toBe(404);
      expect((await get(path, { token: owner.token })).status, path).toBe(200);
    }
    const raw = await get(`${S}/raw/${fx.head}/README.md`, { token: owner.token });
    expect(raw.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const rawMain = await get(`${S}/raw/main/README.md`, { token: owner.token });
    expect(rawMain.headers.get("cache-control")).toBe("private, no-cache");
    expect((await get(S, { token: owner.token })).headers.get("cache-control")).toBe("private, no-cache");
  });
});
