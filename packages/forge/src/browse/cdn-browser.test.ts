// Pages with a CDN in a real browser (playwright-core driving Debian's Chromium): the forge
// serves pages at 127.0.0.1 and stands in for the CDN at localhost (same server, another
// origin), so README images and image previews load across origins — the page's CSP allows
// the CDN, the objects allow being embedded from elsewhere — for a public project, and for a
// private one through signed URLs, to its signed-in member, fetched without any credentials.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage } from "../testing/pages.ts";
import { buildRepo, pushAll } from "./test-repo.ts";

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe("browser: pages showing files from the CDN", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-cdn-ui-"));
  let f: TestForge;
  let cdn = "";
  let browser: Browser;
  let page: Page;
  let password = "";
  const cdnRequests: { url: string; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    const port = await freePort();
    cdn = `http://localhost:${port}`;
    f = await startTestForge({ PORT: String(port), MICELIO_CDN_URL: cdn });
    const owner = await userWithToken(f.url, "cy");
    for (const [handle, visibility] of [
      ["demo", "public"],
      ["vault", "private"],
    ])
      await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle, visibility } });
    const fx = await buildRepo(join(work, "src"));
    for (const project of ["demo", "vault"]) {
      const u = new URL(`/cy/${project}.git`, f.url);
      [u.username, u.password] = ["cy", owner.token];
      await pushAll(fx.src, u.toString());
    }
    ({ browser, page } = await launchWithPage({ width: 1024, height: 800 }));
    page.on("request", async (req) => {
      if (req.url().startsWith(cdn)) cdnRequests.push({ url: req.url(), headers: await req.allHeaders() });
    });
    password = owner.password;
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const loaded = async (selector: string) => {
    const img = page.locator(selector);
    await img.waitFor({ state: "attached" });
    await expect.poll(() => img.evaluate((el: any) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  };

  it("shows a public project's README images and image preview from the CDN", async () => {
    expect(f.url).not.toContain("localhost");
    await page.goto(`${f.url}/cy/demo`);
    await loaded(`img[src^="${cdn}/api/v1/projects/cy/demo/objects/"][src$="/logo.png"]`);
    await loaded(`img[src^="${cdn}/api/v1/projects/cy/demo/objects/"][src$="/icon.svg"]`);
    await page.goto(`${f.url}/cy/demo/blob/main/docs/logo.png`);
    await loaded(`.image-view img[src^="${cdn}/"]`);
  });

  it("shows a private project's images to its member through signed URLs, without credentials", async () => {
    // Signed in on the forge's host: its session cookie never goes to the CDN's.
    await page.goto(`${f.url}/login`);
    await page.getByLabel("Handle or email").fill("cy");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${f.url}/`);
    cdnRequests.length = 0;
    await page.goto(`${f.url}/cy/vault`);
    await loaded(`img[src^="${cdn}/api/v1/projects/cy/vault/objects/"][src*="/logo.png?expires="]`);
    await page.goto(`${f.url}/cy/vault/blob/main/icon.svg`);
    await loaded(`.image-view img[src*="/icon.svg?expires="]`);
    expect(cdnRequests.length).toBeGreaterThan(0);
    for (const r of cdnRequests) {
      expect(r.url).toMatch(/\?expires=\d+&sig=[0-9a-f]{64}$/);
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers.cookie).toBeUndefined();
    }
  });
});
