// The installable app in a real browser (playwright-core driving Debian's Chromium): Chromium
// parses the manifest and finds nothing stopping an install (CDP), the service worker
// activates, a file page read once is shown offline and an unread one gives the offline page,
// a private page kept for one account is not shown to the next, a cache keeps its 100
// newest entries, and key pages pass Lighthouse-style phone checks (tap targets at 375 px,
// no sideways scroll at 320 px).
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "../browse/test-repo.ts";
import { launchChromium, launchPersistentChromium } from "../testing/chromium.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { newPageAt, sidewaysOverflow } from "../testing/pages.ts";
import { smallTapTargets } from "./tap-targets.ts";

const APP = "export const greeting = 'hello from the offline file';\n";

describe("browser: installable app and offline reading", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-pwa-"));
  let f: TestForge;
  let browser: Browser;
  let ada: Awaited<ReturnType<typeof userWithToken>>;
  let bob: Awaited<ReturnType<typeof userWithToken>>;

  /** A two-file repository pushed to ada's project `handle`. */
  async function pushProject(handle: string, visibility: "public" | "private") {
    const made = await api(f.url, "POST", "/api/v1/projects", {
      token: ada.token,
      json: { handle, visibility },
    });
    expect(made.status).toBe(201);
    const dir = join(work, handle);
    await runGit(work, "init", "-q", "-b", "main", dir);
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "app.ts"), APP);
    writeFileSync(join(dir, "README.md"), `# ${handle}\n\nA project kept for offline reading.\n`);
    await runGit(dir, "add", "-A");
    await runGit(dir, "commit", "-q", "-m", "First");
    const u = new URL(`/ada/${handle}.git`, f.url);
    [u.username, u.password] = ["ada", ada.token];
    await runGit(dir, "push", "-q", u.toString(), "main");
  }

  /** Waits until the worker is active and controls `page`. */
  async function controlled(page: Page) {
    await page.evaluate("navigator.serviceWorker.ready");
    if (!(await page.evaluate("!!navigator.serviceWorker.controller"))) await page.reload();
    expect(await page.evaluate("navigator.serviceWorker.controller.state")).toBe("activated");
  }

  async function logIn(page: Page, who: { handle: string; password: string }) {
    await page.goto(`${f.url}/login`);
    await page.fill("#login", who.handle);
    await page.fill("#password", who.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((u) => u.pathname !== "/login");
  }

  const cacheNames = (page: Page) => page.evaluate<string[]>("caches.keys()");

  beforeAll(async () => {
    f = await startTestForge();
    ada = await userWithToken(f.url, "ada");
    bob = await userWithToken(f.url, "bob");
    await pushProject("demo", "public");
    await pushProject("secret", "private");
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("is installable: Chromium reads the manifest without errors and the worker activates", async () => {
    // Installing needs a real profile: an incognito context reports "in-incognito".
    const context = await launchPersistentChromium(join(work, "profile"), { width: 375, height: 812 });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${f.url}/`);
    await controlled(page);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send("Page.getAppManifest");
    expect(manifest.errors).toEqual([]);
    expect(manifest.url).toBe(`${f.url}/manifest.webmanifest`);
    expect(JSON.parse(manifest.data!).display).toBe("standalone");
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
    await context.close();
  });

  it("shows a file page read once while offline, and the offline page for one never read", async () => {
    const { context, page } = await newPageAt(browser, { width: 375, height: 812 });
    await page.goto(`${f.url}/ada/demo`);
    await controlled(page);
    const file = `${f.url}/ada/demo/blob/main/src/app.ts`;
    const raw = `${f.url}/ada/demo/raw/main/src/app.ts`;
    await page.goto(file);
    await page.goto(raw);
    await context.setOffline(true);
    await page.goto(file);
    expect(await page.getByText("hello from the offline file").first().isVisible()).toBe(true);
    await page.goto(raw);
    expect(await page.textContent("body")).toContain("hello from the offline file");
    await page.goto(`${f.url}/ada/demo/blob/main/README.md`);
    expect(await page.getByRole("heading", { name: "You are offline" }).isVisible()).toBe(true);
    // The offline page lists what was kept, and it fits a small phone.
    await expect.poll(() => page.locator("#offline-kept a").count()).toBeGreaterThan(0);
    expect(await page.locator("#offline-kept").textContent()).toContain("/ada/demo/blob/main/src/app.ts");
    expect(await sidewaysOverflow(page)).toBe(0);
    await context.close();
  });

  it("never shows one account's private page to the next account", async () => {
    const { context, page } = await newPageAt(browser, { width: 375, height: 812 });
    await logIn(page, ada);
    await controlled(page);
    const secret = `${f.url}/ada/secret/blob/main/src/app.ts`;
    await page.goto(secret);
    expect(await page.getByText("hello from the offline file").first().isVisible()).toBe(true);
    await context.setOffline(true);
    await page.goto(secret);
    expect(await page.getByText("hello from the offline file").first().isVisible()).toBe(true);
    expect((await cacheNames(page)).filter((n) => n.startsWith("micelio-private-"))).toHaveLength(1);
    await context.setOffline(false);

    // The session ends without the sign-out page (cookies gone), and bob signs in.
    await context.clearCookies();
    await logIn(page, bob);
    expect((await cacheNames(page)).filter((n) => n.startsWith("micelio-private-"))).toHaveLength(1);
    await context.setOffline(true);
    await page.goto(secret);
    expect(await page.getByRole("heading", { name: "You are offline" }).isVisible()).toBe(true);
    expect(await page.content()).not.toContain("hello from the offline file");
    await context.setOffline(false);

    // Signing out leaves no account's cache behind.
    await page.goto(`${f.url}/`);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${f.url}/`);
    await expect
      .poll(async () => (await cacheNames(page)).filter((n) => n.startsWith("micelio-private-")))
      .toEqual([]);
    await context.close();
  });

  it("keeps each cache to its 100 newest entries", async () => {
    const { context, page } = await newPageAt(browser, { width: 375, height: 812 });
    await page.goto(`${f.url}/ada/demo`);
    await controlled(page);
    // 105 distinct raw-file addresses, fetched one after another through the worker.
    await page.evaluate(`(async () => {
      for (let n = 1; n <= 105; n++) await (await fetch("/ada/demo/raw/main/src/app.ts?n=" + n)).text();
    })()`);
    const kept = () =>
      page.evaluate<{ count: number; first: boolean; last: boolean }>(`(async () => {
        const keys = (await (await caches.open("micelio-public")).keys()).map((r) => new URL(r.url).search);
        return { count: keys.length, first: keys.includes("?n=1"), last: keys.includes("?n=105") };
      })()`);
    await expect.poll(kept).toEqual({ count: 100, first: false, last: true });
    await context.close();
  });

  describe("phone checks", () => {
    let context: BrowserContext;
    let page: Page;
    const pages = ["/", "/login", "/signup", "/ada/demo", "/ada/demo/blob/main/src/app.ts", "/offline"];

    beforeAll(async () => {
      ({ context, page } = await newPageAt(browser, { width: 375, height: 812 }));
    });
    afterAll(() => context?.close());

    it("has tap targets of at least 44×44 px, or spaced apart, at 375 px", async () => {
      for (const path of pages) {
        await page.goto(f.url + path);
        expect({ path, small: await smallTapTargets(page) }).toEqual({ path, small: [] });
      }
      await logIn(page, ada);
      for (const path of ["/", "/ada/secret", "/settings/tokens"]) {
        await page.goto(f.url + path);
        expect({ path, small: await smallTapTargets(page) }).toEqual({ path, small: [] });
      }
    });

    it("fits 320 px without scrolling sideways", async () => {
      await page.setViewportSize({ width: 320, height: 640 });
      for (const path of [...pages, "/ada/secret", "/settings/tokens"]) {
        await page.goto(f.url + path);
        expect({ path, overflow: await sidewaysOverflow(page) }).toEqual({ path, overflow: 0 });
      }
    });
  });
});
