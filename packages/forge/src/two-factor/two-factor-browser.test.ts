// Two-factor sign-in in a real browser (playwright-core driving Debian's Chromium) at 320 px
// wide: turn it on from the settings page (the QR code image renders; the code is computed
// from the key shown), sign out, sign in with password then code, and the settings pages
// for two-factor, sessions, password and the security log fit without horizontal scrolling.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../testing/chromium.ts";
import { userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { base32Decode, hotp, timeStep } from "./totp.ts";

describe("browser: two-factor sign-in on a 320 px screen", () => {
  let f: TestForge;
  let browser: Browser;
  let page: Page;
  let password: string;

  const overflow = () =>
    page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");

  beforeAll(async () => {
    f = await startTestForge();
    password = (await userWithToken(f.url, "wanda")).password;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("turns two-factor on, then signing in asks for the code", async () => {
    await page.goto(`${f.url}/login`);
    await page.fill("#login", "wanda");
    await page.fill("#password", password);
    await page.click("button[type=submit]:has-text('Log in')");
    await page.waitForURL(`${f.url}/`);

    await page.goto(`${f.url}/settings/two-factor`);
    expect(await overflow()).toBe(0);
    await page.fill("#setup-password", password);
    await page.click("text=Set up an authenticator app");
    await page.waitForSelector("#totp-qr");
    const qr = page.locator("#totp-qr");
    await expect.poll(() => qr.evaluate((el: any) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    expect(await overflow()).toBe(0);
    const key = base32Decode((await page.textContent("#totp-secret"))!.trim())!;
    const now = timeStep(Date.now());
    await page.fill("#confirm-code", hotp(key, now - 1));
    await page.click("text=Turn on two-factor authentication");
    await page.waitForSelector("#recovery-codes");
    expect(await page.locator("#recovery-codes li").count()).toBe(10);
    expect(await overflow()).toBe(0);

    await page.click("button:has-text('Log out')");
    await page.goto(`${f.url}/login?next=/settings/devices`);
    await page.fill("#login", "wanda");
    await page.fill("#password", password);
    await page.click("button[type=submit]:has-text('Log in')");
    await page.waitForURL(`${f.url}/login/two-factor`);
    expect(await overflow()).toBe(0);
    await page.fill("#code", hotp(key, Math.max(now, timeStep(Date.now()) - 1)));
    await page.click("text=Verify");
    await page.waitForURL(`${f.url}/settings/devices`);
    expect(await page.textContent("#sessions")).toContain("This device");
    expect(await page.textContent("#sessions")).toContain("Chrome on Linux");
    expect(await page.textContent("#sessions")).toContain("password and authenticator code");
  });

  it("fits the settings pages at 320 px", async () => {
    for (const path of [
      "/settings/devices",
      "/settings/password",
      "/settings/security-log",
      "/settings/two-factor",
      "/settings/tokens",
    ]) {
      await page.goto(`${f.url}${path}`);
      expect(page.url(), path).toBe(`${f.url}${path}`);
      expect(await overflow(), path).toBe(0);
    }
  });
});
