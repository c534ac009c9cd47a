// End-to-end in a real browser (playwright-core driving Debian's Chromium) at a 390×844
// phone viewport: sign up through the forms, create a private project from the "New
// project" link, and check it shows on the project page (with its "private" badge, no
// horizontal overflow), the profile and the dashboard. Another user and an anonymous
// visitor get a 404 and no trace of it; logging out hides it, logging back in through
// /login?next= returns to it; the session cookie is HttpOnly and SameSite=Lax.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../src/testing/chromium.ts";
import { startTestForge, type TestForge } from "../src/testing/forge.ts";
import { documentWidth } from "../src/testing/pages.ts";

const VIEWPORT = { width: 390, height: 844 };
const OWNER = { handle: "olive-owner", password: "olive-browser-pw" };
const OTHER = { handle: "oscar-other", password: "oscar-browser-pw" };
const PROJECT = "hidden-garden";
const DESCRIPTION = "Seeds of a secret orchard";
const PROJECT_PATH = `/${OWNER.handle}/${PROJECT}`;

describe("browser: private project end to end", () => {
  let forge: TestForge;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    return { context, page: await context.newPage() };
  }

  async function signUpThroughUi(page: Page, who: { handle: string; password: string }) {
    await page.goto(forge.url);
    await page.getByRole("link", { name: "Sign up", exact: true }).click();
    await page.waitForURL(`${forge.url}/signup`);
    await page.getByLabel("Handle", { exact: true }).fill(who.handle);
    await page.getByLabel("Email").fill(`${who.handle}@example.test`);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(`${forge.url}/`);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: who.handle, exact: true }).isVisible()).toBe(true);
  }

  const bodyText = async (page: Page) => (await page.locator("body").textContent()) ?? "";

  beforeAll(async () => {
    forge = await startTestForge();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await forge?.close();
  });

  it("owner, other user, anonymous visitor, logout and login", async () => {
    // 1. The owner signs up and creates a private project.
    const a = await newPage();
    await signUpThroughUi(a.page, OWNER);
    await a.page.getByRole("link", { name: "New project" }).click();
    await a.page.waitForURL(`${forge.url}/new`);
    await a.page.getByLabel("Handle", { exact: true }).fill(PROJECT);
    await a.page.getByLabel("Description").fill(DESCRIPTION);
    await a.page.getByRole("radio", { name: /^Private/ }).check();
    await a.page.getByRole("button", { name: "Create project" }).click();
    await a.page.waitForURL(`${forge.url}${PROJECT_PATH}`);
    expect(await a.page.getByRole("heading", { level: 2, name: PROJECT }).isVisible()).toBe(true);
    expect(await a.page.locator("h1 .badge", { hasText: "private" }).isVisible()).toBe(true);
    expect(await bodyText(a.page)).toContain(DESCRIPTION);
    expect(await documentWidth(a.page)).toBeLessThanOrEqual(VIEWPORT.width);

    // It is listed on the owner's profile and dashboard.
    for (const path of [`/${OWNER.handle}`, "/"]) {
      await a.page.goto(forge.url + path);
      const item = a.page.locator("ul.list li", { hasText: `${OWNER.handle}/${PROJECT}` });
      expect(await item.count(), path).toBe(1);
      expect(await item.locator(".badge").textContent(), path).toBe("private");
    }

    // 5. The session cookie is HttpOnly and SameSite=Lax.
    const session = (await a.context.cookies()).find((c) => c.name === "mc_session");
    expect(session, "mc_session cookie").toBeDefined();
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");

    // 2. Another user sees neither the project nor its listing.
    const b = await newPage();
    await signUpThroughUi(b.page, OTHER);
    const asOther = await b.page.goto(forge.url + PROJECT_PATH);
    expect(asOther?.status()).toBe(404);
    let text = await bodyText(b.page);
    expect(text).toContain("Page not found");
    expect(text).not.toContain(PROJECT);
    expect(text).not.toContain(DESCRIPTION);
    expect((await b.page.goto(`${forge.url}/${OWNER.handle}`))?.status()).toBe(200);
    text = await bodyText(b.page);
    expect(text).not.toContain(PROJECT);
    expect(text).not.toContain(DESCRIPTION);

    // 3. So does an anonymous visitor.
    const c = await newPage();
    const anonymous = await c.page.goto(forge.url + PROJECT_PATH);
    expect(anonymous?.status()).toBe(404);
    text = await bodyText(c.page);
    expect(text).not.toContain(PROJECT);
    expect(text).not.toContain(DESCRIPTION);

    // 4. The owner logs out from the header; the project is then a 404.
    await a.page.goto(forge.url + PROJECT_PATH);
    await a.page.getByRole("button", { name: "Log out" }).click();
    await a.page.waitForURL(`${forge.url}/`);
    const nav = a.page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Log in" }).isVisible()).toBe(true);
    expect(await nav.getByRole("link", { name: OWNER.handle, exact: true }).count()).toBe(0);
    expect((await a.context.cookies()).some((k) => k.name === "mc_session")).toBe(false);
    const loggedOut = await a.page.goto(forge.url + PROJECT_PATH);
    expect(loggedOut?.status()).toBe(404);
    expect(await bodyText(a.page)).not.toContain(DESCRIPTION);

    // Logging back in from /login?next= returns to the project page.
    await a.page.goto(`${forge.url}/login?next=${encodeURIComponent(PROJECT_PATH)}`);
    await a.page.getByLabel("Handle or email").fill(OWNER.handle);
    await a.page.getByLabel("Password").fill(OWNER.password);
    await a.page.getByRole("button", { name: "Log in" }).click();
    await a.page.waitForURL(`${forge.url}${PROJECT_PATH}`);
    expect(await a.page.getByRole("heading", { level: 2, name: PROJECT }).isVisible()).toBe(true);
    expect(await bodyText(a.page)).toContain(DESCRIPTION);
  });
});
