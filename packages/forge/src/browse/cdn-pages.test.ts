// Pages with MICELIO_CDN_URL set: the blob page's Raw link and image preview, the blame page's
// Raw link and README images of repository files point at the CDN (the blob by id under its
// name); a public project's URLs are plain, a private project's signed. The forge stands in
// for the CDN's origin (the CDN passes the path and query through), and those URLs answer the
// bytes with a safe type to anyone holding them; without a valid signature, nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { buildRepo, type Fixture, PNG, pushAll, runGit } from "./test-repo.ts";

const CDN = "https://cdn.example.test";

describe("pages link files on the CDN", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-cdn-pages-"));
  let f: TestForge;
  let fx: Fixture;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let stranger: Awaited<ReturnType<typeof userWithToken>>;
  const oid = (path: string) => runGit(fx.src, "rev-parse", `main:${path}`);

  const page = async (path: string, token?: string) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  /** A CDN URL found in a page, fetched from the forge as the CDN would (no credentials). */
  const viaCdn = (url: string, token?: string) => {
    const u = new URL(url.replace(/&amp;/g, "&"));
    expect(u.origin).toBe(CDN);
    return fetch(
      f.url + u.pathname + u.search,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
  };
  const urlsIn = (html: string) =>
    [...html.matchAll(/(?:src|href)="(https:\/\/cdn\.example\.test\/[^"]+)"/g)].map((m) => m[1]!);

  beforeAll(async () => {
    f = await startTestForge({ MICELIO_CDN_URL: `${CDN}/` });
    owner = await userWithToken(f.url, "ada");
    stranger = await userWithToken(f.url, "stranger");
    for (const [handle, visibility] of [
      ["demo", "public"],
      ["secret", "private"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle, visibility } });
    fx = await buildRepo(join(work, "src"));
    for (const project of ["demo", "secret"]) {
      const u = new URL(`/ada/${project}.git`, f.url);
      [u.username, u.password] = ["ada", owner.token];
      await pushAll(fx.src, u.toString());
    }
  });
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("points a public project's README images, raw links and previews at immutable CDN URLs", async () => {
    const objects = `${CDN}/api/v1/projects/ada/demo/objects`;
    const logo = `${objects}/${await oid("docs/logo.png")}/logo.png`;
    const home = await page("/ada/demo");
    expect(home.text).toContain(`src="${logo}"`);
    expect(home.text).toContain(`src="${objects}/${await oid("icon.svg")}/icon.svg"`);
    expect(home.text).not.toContain("/raw/main/docs/logo.png");
    // An image that is no file of the repository keeps its /raw/ URL (and is simply missing).
    expect(home.text).toContain('src="/ada/demo/raw/main/x.png"');
    const tree = await page("/ada/demo/tree/main");
    expect(tree.text).toContain(`src="${logo}"`);

    const blob = await page("/ada/demo/blob/main/docs/logo.png");
    expect(blob.text).toContain(`<img src="${logo}"`);
    expect(blob.text).toContain(`<a href="${logo}">Raw</a>`);
    const png = await viaCdn(logo);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await png.arrayBuffer())).toEqual(PNG);

    // An HTML file's raw link: plain text, never HTML.
    const html = await page("/ada/demo/blob/main/page.html");
    const [raw] = urlsIn(html.text);
    expect(raw).toBe(`${objects}/${await oid("page.html")}/page.html`);
    const served = await viaCdn(raw!);
    expect(served.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await served.text()).toContain("alert('raw-html')");
    // A binary file's notice links the download; the blame page's Raw link too.
    const bin = urlsIn((await page("/ada/demo/blob/main/data.bin")).text);
    expect(bin).toHaveLength(2); // the Raw link and the notice's
    expect([...new Set(bin)]).toEqual([`${objects}/${await oid("data.bin")}/data.bin`]);
    expect((await viaCdn(bin[0]!)).headers.get("content-disposition")).toMatch(/^attachment; /);
    const blame = await page("/ada/demo/blame/main/src/app.ts");
    expect(blame.text).toContain(`href="${objects}/${await oid("src/app.ts")}/app.ts">Raw</a>`);
    // The shareable /raw/ routes by ref and path stay.
    expect((await page("/ada/demo/raw/main/docs/logo.png")).status).toBe(200);
  });

  it("gives a private project's members signed URLs that work without credentials, and nobody else anything", async () => {
    const home = await page("/ada/secret", owner.token);
    expect(home.headers.get("cache-control")).toBe("private, no-cache");
    const logo = urlsIn(home.text).find((u) => u.includes("/logo.png?"))!;
    expect(logo).toMatch(
      new RegExp(
        `^${CDN}/api/v1/projects/ada/secret/objects/${await oid("docs/logo.png")}/logo\\.png\\?expires=\\d+&amp;sig=[0-9a-f]{64}$`,
      ),
    );
    const blob = await page("/ada/secret/blob/main/docs/logo.png", owner.token);
    const [preview, raw] = urlsIn(blob.text);
    expect(raw).toBe(preview);

    const ok = await viaCdn(logo);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(PNG);
    expect(ok.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);

    const u = new URL(logo.replace(/&amp;/g, "&"));
    const sig = u.searchParams.get("sig")!;
    const tampered = `${CDN}${u.pathname}?expires=${u.searchParams.get("expires")}&sig=${sig.replace(/^./, (c) => (c === "a" ? "b" : "a"))}`;
    const renamed = `${CDN}${u.pathname.replace(/logo\.png$/, "logo.svg")}${u.search}`;
    const later = `${CDN}${u.pathname}?expires=${Number(u.searchParams.get("expires")) + 60}&sig=${sig}`;
    for (const [url, token] of [
      [`${CDN}${u.pathname}`, undefined],
      [`${CDN}${u.pathname}`, stranger.token],
      [tampered, undefined],
      [renamed, undefined],
      [later, undefined],
    ] as const) {
      const r = await viaCdn(url, token);
      expect(r.status, url).toBe(404);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    for (const token of [undefined, stranger.token]) {
      const p = await page("/ada/secret", token);
      expect(p.status).toBe(404);
      expect(p.text).not.toContain("/objects/");
    }
  });
});
