// The code browser in a real browser (playwright-core driving Debian's Chromium) at a
// 390×844 phone viewport: no page-level horizontal overflow on the project home, a file
// with a very long line, and a commit diff (code scrolls inside its own box); README
// images (PNG and SVG) load from the raw URLs; #L2-L4 highlights a range of lines.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, sidewaysOverflow } from "../testing/pages.ts";
import { buildRepo, type Fixture, pushAll } from "./test-repo.ts";

describe("browser: code browsing on a phone", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-browse-ui-"));
  let f: TestForge;
  let fx: Fixture;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    f = await startTestForge();
    const owner = await userWithToken(f.url, "cy");
    await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle: "demo" } });
    fx = await buildRepo(join(work, "src"));
    const u = new URL("/cy/demo.git", f.url);
    [u.username, u.password] = ["cy", owner.token];
    await pushAll(fx.src, u.toString());
    ({ browser, page } = await launchWithPage({ width: 390, height: 844 }));
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("fits the project home, with README images loaded", async () => {
    await page.goto(`${f.url}/cy/demo`);
    expect(await page.getByRole("heading", { name: "Demo project" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    for (const src of ["/cy/demo/raw/main/docs/logo.png", "/cy/demo/raw/main/icon.svg"]) {
      const img = page.locator(`img[src="${src}"]`);
      await img.waitFor();
      await expect.poll(() => img.evaluate((el: any) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    }
  });

  it("scrolls long lines inside the code box and highlights a line range", async () => {
    await page.goto(`${f.url}/cy/demo/blob/main/src/long.ts`);
    expect(await sidewaysOverflow(page)).toBe(0);
    const box = page.locator(".code-scroll");
    expect(await box.evaluate((el: any) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.goto(`${f.url}/cy/demo/blob/main/big.txt`);
    expect(await page.getByText("too large to show").isVisible()).toBe(true);
    await page.goto(`${f.url}/cy/demo/blob/main/src/app.ts#L2-L4`);
    await expect.poll(() => page.locator("tr.selected").count()).toBe(3);
    expect(await page.locator("tr.selected").first().getAttribute("id")).toBe("L2");
  });

  it("fits a commit diff and the history", async () => {
    await page.goto(`${f.url}/cy/demo/commit/${fx.assets}`);
    expect(await page.getByText("Binary file not shown").first().isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.goto(`${f.url}/cy/demo/commits/main`);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.goto(`${f.url}/cy/demo/tree/feature/x/notes`);
    expect(await sidewaysOverflow(page)).toBe(0);
  });
});
