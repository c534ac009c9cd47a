// The email pages in a real browser (Debian's Chromium) at 320 px: the unverified-address
// banner after sign-up and its resend button, the email settings page, and "Forgot
// password?" from the login page through to choosing a new password, none of them wider
// than the screen. Mail goes to a real SMTP listener.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../testing/chromium.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { documentWidth, newPageAt, PHONE } from "../testing/pages.ts";
import { linkIn, type SmtpSink, startSmtpSink } from "./test-smtp.ts";

describe("browser: email pages", () => {
  let forge: TestForge;
  let smtp: SmtpSink;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    forge = await startTestForge({ SMTP_URL: smtp.url });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await forge?.close();
    await smtp?.close();
  });

  const fits = async (page: Page) => {
    expect(await documentWidth(page), page.url()).toBeLessThanOrEqual(PHONE.width);
  };

  it("banner, resend, settings, forgot and reset password at 320 px", async () => {
    const { context, page } = await newPageAt(browser, PHONE);
    try {
      await page.goto(`${forge.url}/signup`);
      await page.getByLabel("Handle", { exact: true }).fill("narrow");
      await page.getByLabel("Email").fill("narrow-person@example.test");
      await page.getByLabel("Password").fill("narrow-password");
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.waitForURL(`${forge.url}/`);
      const banner = page.locator("#verify-email-banner");
      expect(await banner.isVisible()).toBe(true);
      await fits(page);
      await smtp.next("narrow-person@example.test", /Verify/);

      await banner.getByRole("button", { name: "Send the link again" }).click();
      await page.waitForURL(`${forge.url}/settings/email?sent`);
      const sent = page.getByRole("status").filter({ hasText: "We mailed a new link" });
      expect(await sent.isVisible()).toBe(true);
      await fits(page);
      const mail = await smtp.next("narrow-person@example.test", /Verify/);

      await page.goto(forge.url + linkIn(mail, "/verify-email"));
      expect(await page.getByRole("heading", { name: "Email verified" }).isVisible()).toBe(true);
      expect(await banner.count()).toBe(0);
      await page.goto(`${forge.url}/settings/email`);
      await fits(page);

      await page.getByRole("button", { name: "Log out" }).click();
      await page.goto(`${forge.url}/login`);
      await page.getByRole("link", { name: "Forgot password?" }).click();
      await page.waitForURL(`${forge.url}/forgot-password`);
      await fits(page);
      await page.getByLabel("Email").fill("narrow-person@example.test");
      await page.getByRole("button", { name: "Send reset link" }).click();
      expect(await page.getByRole("heading", { name: "Check your email" }).isVisible()).toBe(true);

      const reset = await smtp.next("narrow-person@example.test", /Reset/);
      await page.goto(forge.url + linkIn(reset, "/reset-password"));
      await fits(page);
      await page.getByLabel("New password", { exact: true }).fill("wider-password");
      await page.getByLabel("Repeat the new password").fill("wider-password");
      await page.getByRole("button", { name: "Set new password" }).click();
      expect(await page.getByRole("heading", { name: "Password changed" }).isVisible()).toBe(true);
      await fits(page);

      await page.getByRole("link", { name: "Log in" }).first().click();
      await page.getByLabel("Handle or email").fill("narrow");
      await page.getByLabel("Password").fill("wider-password");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${forge.url}/`);
      expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });
});
