// In Chromium at 320 px: the project page with its Badges section open does not scroll
// sideways, every badge image loads and renders at its SVG width, and /legal fits too.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../testing/chromium.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { documentWidth, PHONE } from "../testing/pages.ts";

describe("badges and legal in a browser at 320 px", () => {
  let f: TestForge;
  let browser: Browser;
  beforeAll(async () => {
    f = await startTestForge();
    const u = await userWithToken(f.url, "wendy");
    const r = await api(f.url, "POST", "/api/v1/projects", {
      token: u.token,
      json: { handle: "a-rather-long-project-handle-for-small-screens", description: "Badges on a phone" },
    });
    expect(r.status).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("the Badges section fits and its images load", async () => {
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(`${f.url}/wendy/a-rather-long-project-handle-for-small-screens`);
    await page.click("details.badge-snippets summary");
    const images = page.locator("details.badge-snippets img");
    expect(await images.count()).toBe(5);
    await page.waitForFunction(
      "[...document.querySelectorAll('details.badge-snippets img')].every((i) => i.complete)",
    );
    const widths = await page.evaluate<number[]>(
      "[...document.querySelectorAll('details.badge-snippets img')].map((i) => i.naturalWidth)",
    );
    for (const w of widths) expect(w).toBeGreaterThan(40);
    expect(await documentWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await page.goto(`${f.url}/legal`);
    expect(await documentWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await page.close();
  });
});
