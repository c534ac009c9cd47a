// Sign-in through a provider in a real browser (playwright-core driving Debian's Chromium) at
// 320 px wide: the GitHub button on the log-in page leads through the local provider to the
// handle form and back signed in, and the log-in, sign-up and Linked accounts pages fit
// without horizontal scrolling. Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, sidewaysOverflow } from "../testing/pages.ts";
import { type FakeProvider, providerSettings, startFakeProvider } from "./test-providers.ts";

describe("browser: sign-in through a provider on a 320 px screen", () => {
  let f: TestForge;
  let fake: FakeProvider;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeProvider();
    f = await startTestForge(providerSettings(fake));
    ({ browser, page } = await launchWithPage());
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    await fake?.close();
  });

  it("signs up with GitHub from the log-in page, then links GitLab in settings", async () => {
    fake.signInAs("github", { id: 77, login: "browser-octo", email: "b@example.test", verified: true });
    await page.goto(`${f.url}/login`);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.click("#providers a:has-text('GitHub')");
    await page.waitForURL(`${f.url}/auth/signup`);
    expect(await sidewaysOverflow(page)).toBe(0);
    expect(await page.inputValue("#handle")).toBe("browser-octo");
    await page.click("button:has-text('Sign up')");
    await page.waitForURL(`${f.url}/`);

    await page.goto(`${f.url}/settings/linked-accounts`);
    expect(await sidewaysOverflow(page)).toBe(0);
    fake.signInAs("gitlab", { id: 78, login: "browser-gl", email: null });
    await page.click("#link-more a:has-text('GitLab')");
    await page.waitForURL(`${f.url}/settings/linked-accounts?linked=gitlab`);
    expect(await page.locator("#identities li").count()).toBe(2);
    expect(await sidewaysOverflow(page)).toBe(0);
  });
});
