// The installable app over HTTP: the manifest and its icons (real PNGs of the sizes it
// declares), the worker script, the offline page, and the offline marks the server puts on
// pages for the worker (who may keep what), with a property test of the marking rules.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { accountTag, NEVER_OFFLINE, offlineMark } from "./offline-marks.ts";
import { SW_VERSION } from "./pwa-routes.tsx";

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe("installable app", () => {
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  const web = () => new Browser(f.url);

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    await api(f.url, "POST", "/api/v1/projects", { token: ada.token, json: { handle: "open" } });
    await api(f.url, "POST", "/api/v1/projects", {
      token: ada.token,
      json: { handle: "hidden", visibility: "private" },
    });
  });
  afterAll(() => f?.close());

  it("serves a manifest whose icons exist at the sizes it declares", async () => {
    const res = await fetch(`${f.url}/manifest.webmanifest`);
    expect(res.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
    const m: any = await res.json();
    expect(m).toMatchObject({ name: "Micelio", start_url: "/", scope: "/", display: "standalone" });
    expect(m.theme_color).toBe("#2f6f4e");
    expect(m.icons.map((i: any) => i.purpose).sort()).toEqual(["any", "any", "maskable"]);
    for (const icon of m.icons) {
      const png = await fetch(f.url + icon.src);
      expect(png.headers.get("content-type")).toBe("image/png");
      const [w, h] = pngSize(Buffer.from(await png.arrayBuffer()));
      expect(`${w}x${h}`).toBe(icon.sizes);
    }
    expect((await fetch(`${f.url}/assets/icons/nope.png`)).status).toBe(404);
  });

  it("links the manifest, theme colour and worker script from every page", async () => {
    const page = await web().get("/");
    expect(page.html).toContain('<link rel="manifest" href="/manifest.webmanifest"/>');
    expect(page.html).toContain('<meta name="theme-color" content="#2f6f4e"/>');
    expect(page.html).toContain('<script src="/assets/pwa.js" defer=""></script>');
    const sw = await fetch(`${f.url}/sw.js`);
    expect(sw.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(sw.headers.get("cache-control")).toBe("no-cache");
    const text = await sw.text();
    expect(text).toContain(`micelio-shell-\${VERSION}`);
    expect(text).toContain(`const VERSION = "${SW_VERSION}"`);
    const offline = await web().get("/offline");
    expect(offline.status).toBe(200);
    expect(offline.html).toContain("You are offline");
    expect(offline.headers.get("x-micelio-offline")).toBeNull();
  });

  it("marks anonymous pages public and a signed-in person's pages private to their account", async () => {
    const anon = await web().get("/ada/open");
    expect(anon.headers.get("x-micelio-offline")).toBe("public");
    expect(anon.headers.get("x-micelio-account")).toBe("anonymous");
    const b = web();
    expect((await b.submit("/login", "/login", { login: "ada", password: ada.password })).status).toBe(303);
    const own = await b.get("/ada/hidden");
    expect(own.status).toBe(200);
    expect(own.headers.get("x-micelio-offline")).toBe("private");
    expect(own.headers.get("x-micelio-account")).toBe(accountTag(ada.user.id));
    expect(own.headers.get("x-micelio-account")).not.toContain(ada.user.id);
    // Settings pages are never kept, though the account is still told.
    const settings = await b.get("/settings/tokens");
    expect(settings.headers.get("x-micelio-offline")).toBe("no");
    expect(settings.headers.get("x-micelio-account")).toBe(accountTag(ada.user.id));
    // A missing page is not kept; nor is anything asked for with an API token.
    expect((await b.get("/ada/nothing-here")).headers.get("x-micelio-offline")).toBe("no");
    const withToken = await api(f.url, "GET", "/ada/hidden", {
      token: ada.token,
      headers: { accept: "text/html" },
    });
    expect(withToken.headers.get("x-micelio-offline")).toBe("no");
    expect(withToken.headers.get("x-micelio-account")).toBeNull();
    // JSON answers carry no marks at all.
    expect(
      (await api(f.url, "GET", "/api/v1/projects/ada/open")).headers.get("x-micelio-offline"),
    ).toBeNull();
  });

  it("clears the browser's cache on sign-out", async () => {
    const b = web();
    await b.submit("/login", "/login", { login: "ada", password: ada.password });
    const out = await fetch(`${f.url}/logout`, {
      method: "POST",
      headers: { cookie: b.cookieHeader, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec((await b.get("/")).html)![1]! }),
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    expect(out.headers.get("clear-site-data")).toBe('"cache"');
  });
});

describe("offline marks", () => {
  const input = fc.record({
    method: fc.constantFrom("GET", "POST", "HEAD", "DELETE"),
    path: fc.oneof(
      fc.webPath(),
      fc.constantFrom("/settings/tokens", "/admin", "/login", "/api/v1/x", "/o/p/raw/main/a.txt", "/o/p"),
    ),
    status: fc.constantFrom(200, 201, 301, 404, 500),
    contentType: fc.constantFrom("text/html; charset=UTF-8", "application/json", "text/plain", ""),
    cacheControl: fc.constantFrom(
      "",
      "no-store",
      "private, no-cache",
      "public, max-age=60",
      "no-cache, no-store",
    ),
    authVia: fc.constantFrom("none", "session", "token", "basic") as fc.Arbitrary<
      "none" | "session" | "token" | "basic"
    >,
    signedIn: fc.boolean(),
  });

  it("keeps only 200 GET pages and raw files, never no-store, token requests or account pages", () => {
    fc.assert(
      fc.property(input, (r) => {
        const mark = offlineMark(r);
        if (mark === "no") return;
        expect(r.method).toBe("GET");
        expect(r.status).toBe(200);
        expect(r.cacheControl).not.toMatch(/no-store/);
        expect(["token", "basic"]).not.toContain(r.authVia);
        expect(NEVER_OFFLINE.test(r.path)).toBe(false);
        expect(mark).toBe(r.signedIn ? "private" : "public");
        expect(r.contentType.startsWith("text/html") || /\/raw\//.test(r.path)).toBe(true);
      }),
    );
  });

  it("gives each account its own stable tag", () => {
    expect(accountTag("a")).toBe(accountTag("a"));
    expect(accountTag("a")).not.toBe(accountTag("b"));
    expect(accountTag("a")).toMatch(/^[0-9a-f]{32}$/);
  });
});
