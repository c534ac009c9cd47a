// Stars and forks in a real browser at 320 px wide: star from the project page, fork through
// the form into an organization, land on the fork ("forked from"), and no page of the
// feature scrolls sideways. Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { documentWidth, launchWithPage, PHONE } from "../testing/pages.ts";

describe("browser: stars and forks on a phone", () => {
  let forge: TestForge;
  let browser: Browser;
  let page: Page;
  let owner: Awaited<ReturnType<typeof userWithToken>>;

  const noSidewaysScroll = async (path: string) => {
    expect(await documentWidth(page), path).toBeLessThanOrEqual(PHONE.width);
  };

  beforeAll(async () => {
    forge = await startTestForge();
    owner = await userWithToken(forge.url, "paula-with-a-rather-long-handle");
    const fan = await userWithToken(forge.url, "fernando");
    await api(forge.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "a-project-with-quite-a-long-handle", description: "Something worth starring" },
    });
    await api(forge.url, "POST", "/api/v1/orgs", { token: fan.token, json: { handle: "fans" } });
    ({ browser, page } = await launchWithPage(PHONE));
    await page.goto(`${forge.url}/login`);
    await page.getByLabel("Handle or email").fill("fernando");
    await page.getByLabel("Password").fill(fan.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${forge.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await forge?.close();
  });

  it("stars, forks into an organization, and every page fits", async () => {
    const project = `/${owner.handle}/a-project-with-quite-a-long-handle`;
    await page.goto(forge.url + project);
    await noSidewaysScroll(project);
    await page.getByRole("button", { name: "☆ Star" }).click();
    await page.waitForURL(forge.url + project);
    expect(await page.getByRole("button", { name: "★ Unstar" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "1 star", exact: true }).isVisible()).toBe(true);
    await page.getByRole("link", { name: "Fork", exact: true }).click();
    await page.waitForURL(`${forge.url}${project}/fork`);
    await noSidewaysScroll(`${project}/fork`);
    await page.getByLabel("Owner").selectOption("fans");
    await page.getByLabel("Handle").fill("our-copy");
    await page.getByRole("button", { name: "Fork project" }).click();
    await page.waitForURL(`${forge.url}/fans/our-copy`);
    expect(await page.locator(".forked-from").textContent()).toContain(
      `forked from ${owner.handle}/a-project-with-quite-a-long-handle`,
    );
    await noSidewaysScroll("/fans/our-copy");
    for (const path of [`${project}/forks`, `${project}/stargazers`, "/fernando"]) {
      await page.goto(forge.url + path);
      await noSidewaysScroll(path);
    }
    expect(await page.locator("#starred-title").isVisible()).toBe(true);
    await page.goto(`${forge.url}${project}/forks`);
    expect(await page.getByRole("link", { name: "fans/our-copy" }).isVisible()).toBe(true);
  });
});
