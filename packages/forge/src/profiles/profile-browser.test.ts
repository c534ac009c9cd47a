// The profile and profile settings pages in Chromium at 320 px wide: no horizontal overflow
// of the page, the contribution graph scrolls inside its own box, link icons carry tooltips
// and accessible names, today's cell has its label, and the avatar image loads.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../testing/chromium.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { documentWidth, newPageAt, PHONE } from "../testing/pages.ts";

describe("browser: profile at 320 px", () => {
  let f: TestForge;
  let browser: Browser;
  let alice: Awaited<ReturnType<typeof userWithToken>>;
  beforeAll(async () => {
    f = await startTestForge();
    browser = await launchChromium();
    alice = await userWithToken(f.url, "alice");
    const r = await api(f.url, "PATCH", "/api/v1/user", {
      token: alice.token,
      json: {
        bio: "A long bio with a veryveryveryveryveryverylongwordthatmustwrapnicely and more text",
        website: "example.com/a/rather/long/path/that/should/not/overflow/the/page",
        links: {
          github: "@alice",
          x: "@alice",
          mastodon: "@alice@hachyderm.io",
          bluesky: "alice.bsky.social",
        },
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(
      (
        await api(f.url, "POST", "/api/v1/projects", {
          token: alice.token,
          json: { handle: "app", visibility: "public" },
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("the profile fits, the graph scrolls in its box, links have tooltips", async () => {
    const { context, page } = await newPageAt(browser, PHONE);
    await page.goto(`${f.url}/alice`);
    expect(await documentWidth(page)).toBeLessThanOrEqual(PHONE.width);
    const box = page.locator(".contrib-scroll");
    const [scrollW, clientW] = await box.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(clientW).toBeLessThanOrEqual(320);
    expect(scrollW).toBeGreaterThan(clientW);
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.getByRole("img", { name: `1 contribution on ${today}` }).count()).toBe(1);
    const github = page.getByRole("link", { name: "GitHub: github.com/alice" });
    expect(await github.getAttribute("title")).toBe("GitHub: github.com/alice");
    expect(await github.getAttribute("href")).toBe("https://github.com/alice");
    expect(await page.getByRole("link", { name: /^Website: / }).count()).toBe(1);
    const avatar = page.getByRole("img", { name: "Avatar of alice" });
    expect(
      await avatar.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    expect(await page.getByRole("heading", { name: "Organizations" }).isVisible()).toBe(true);
    await context.close();
  });

  it("the settings page fits at 320 px and shows each network's field", async () => {
    const { context, page } = await newPageAt(browser, PHONE);
    await page.goto(`${f.url}/login`);
    await page.getByLabel("Handle or email").fill("alice");
    await page.getByLabel("Password").fill(alice.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${f.url}/`);
    await page.goto(`${f.url}/settings/profile`);
    expect(await documentWidth(page)).toBeLessThanOrEqual(PHONE.width);
    for (const label of ["Bio", "Website", "X", "GitHub", "GitLab", "Mastodon", "Bluesky", "LinkedIn"]) {
      expect(await page.getByLabel(label, { exact: true }).isVisible(), label).toBe(true);
    }
    expect(await page.getByLabel("GitHub", { exact: true }).inputValue()).toBe("https://github.com/alice");
    await context.close();
  });
});
