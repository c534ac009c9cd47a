// Pages in Chromium for browser tests: a page in a fresh context at a given viewport (a small
// phone unless said), Chromium launched with one such page, and the two probes those tests
// assert on to say a page fits its width without scrolling sideways.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./chromium.ts";

/** A small phone: the narrowest width the pages must work at. */
export const PHONE = { width: 320, height: 640 };

export interface Viewport {
  width: number;
  height: number;
}

/** A page in a fresh context of `browser` at `viewport`; close `context` when done. */
export async function newPageAt(
  browser: Browser,
  viewport: Viewport = PHONE,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  return { context, page: await context.newPage() };
}

/** Launches Chromium with one page at `viewport`; close `browser` when done (in afterAll). */
export async function launchWithPage(
  viewport: Viewport = PHONE,
): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await launchChromium();
  try {
    return { browser, ...(await newPageAt(browser, viewport)) };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** How many pixels the document is wider than the page's client area: 0 when it fits. */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

/** The document's full width (its scrollWidth), to compare with the viewport's. */
export function documentWidth(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth");
}
