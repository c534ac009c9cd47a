// The main pages (and a few more, checked for fit only) in a real browser (playwright-core
// driving Debian's Chromium) at 320, 390, 768 and 1280 px wide, on one forge seeded with
// fixed data (visual-fixture.ts): no horizontal overflow of the document, each page's
// primary actions visible and inside the viewport, and at 390 and 1280 px a viewport
// screenshot compared with its committed baseline (baselines/).
// `npm run test:visual:update` rewrites the baselines that changed.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../src/testing/chromium.ts";
import { startTestForge, type TestForge } from "../../src/testing/forge.ts";
import { actionProblem, freezeDynamicText, horizontalOverflow, resetScroll, settle } from "./page-checks.ts";
import { compareScreenshot } from "./screenshots.ts";
import { ADA, type Seeded, seedVisualForge } from "./visual-fixture.ts";
import { PAGES, type VisualPage } from "./visual-pages.ts";

const VIEWPORTS = [
  { width: 320, height: 640, screenshot: false },
  { width: 390, height: 844, screenshot: true },
  { width: 768, height: 1024, screenshot: false },
  { width: 1280, height: 800, screenshot: true },
];

/**
 * Applied while a screenshot is taken: no blinking, no smooth scrolling, no scrollbars, and
 * figures that move with the clock (`.volatile`, e.g. a decaying reputation) left blank.
 */
const SCREENSHOT_CSS = `
  *, *::before, *::after { transition: none !important; animation: none !important; caret-color: transparent !important; }
  html { scroll-behavior: auto !important; scrollbar-width: none !important; }
  .volatile { visibility: hidden !important; }
`;

describe("browser: every main page at phone, tablet and desktop widths", () => {
  let forge: TestForge;
  let browser: Browser;
  let seeded: Seeded;
  const contexts: BrowserContext[] = [];
  const pages: Record<VisualPage["as"], Page> = {} as Record<VisualPage["as"], Page>;

  beforeAll(async () => {
    forge = await startTestForge();
    seeded = await seedVisualForge(forge.url);
    browser = await launchChromium();
    for (const who of ["anonymous", "ada"] as const) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        deviceScaleFactor: 1,
        reducedMotion: "reduce",
        colorScheme: "light",
        locale: "en-US",
        timezoneId: "UTC",
      });
      contexts.push(context);
      pages[who] = await context.newPage();
    }
    const page = pages.ada;
    await page.goto(`${forge.url}/login`);
    await page.getByLabel("Handle or email").fill(ADA.handle);
    await page.getByLabel("Password").fill(ADA.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${forge.url}/`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await forge?.close();
  });

  // One load per page, then the viewport goes through the widths (a resize reflows the page
  // as a load at that width would: the layout is CSS): the checks at each, then the
  // screenshots with the dynamic text frozen.
  for (const p of PAGES) {
    it(`${p.name}: fits at every width${p.screenshot ? " and matches its baselines" : ""}`, async () => {
      const page = pages[p.as];
      const path = p.path(seeded);
      await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
      const res = await page.goto(forge.url + path);
      expect(res?.status(), path).toBe(p.status ?? 200);
      await settle(page);
      const problems: string[] = [];
      for (const { width, height } of VIEWPORTS) {
        await page.setViewportSize({ width, height });
        const label = `${p.name} (${path}) at ${width} px`;
        const overflow = await horizontalOverflow(page);
        if (overflow) problems.push(`${label}: ${overflow}`);
        for (const [name, action] of Object.entries(p.actions)) {
          const problem = await actionProblem(action(page), name);
          if (problem) problems.push(`${label}: ${problem}`);
        }
      }
      if (p.screenshot) {
        // After the checks, which ran on the real text.
        await freezeDynamicText(page);
        for (const { width, height } of VIEWPORTS.filter((v) => v.screenshot)) {
          await page.setViewportSize({ width, height });
          await resetScroll(page);
          const png = await page.screenshot({
            animations: "disabled",
            caret: "hide",
            style: SCREENSHOT_CSS,
            mask: (p.mask ?? []).map((selector) => page.locator(selector)),
            maskColor: "#888888",
          });
          const mismatch = compareScreenshot(`${p.name}-${width}`, png);
          if (mismatch) problems.push(mismatch);
        }
      }
      expect(problems, problems.join("\n")).toEqual([]);
    });
  }
});
