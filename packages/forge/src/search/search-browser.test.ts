// The search pages in a real browser (playwright-core driving Debian's Chromium) at 320 px
// wide: no page-level horizontal overflow on /search and on code search with a long line,
// the search box and its button visible, and the header box leading to results.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";
import { launchWithPage, sidewaysOverflow } from "../testing/pages.ts";

describe("browser: search on a narrow phone", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-search-ui-"));
  let f: TestForge;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    f = await startTestForge();
    const owner = await userWithToken(f.url, "phoebe");
    await api(f.url, "POST", "/api/v1/projects", {
      token: owner.token,
      json: { handle: "telescope-with-a-rather-long-project-handle", description: "x".repeat(300) },
    });
    const src = join(work, "src");
    await runGit(work, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "wide.js"), `const wide = "${"w".repeat(3000)} needle ${"w".repeat(3000)}";\n`);
    await runGit(src, "add", "-A");
    await runGit(src, "commit", "-q", "-m", "wide");
    const u = new URL("/phoebe/telescope-with-a-rather-long-project-handle.git", f.url);
    [u.username, u.password] = ["phoebe", owner.token];
    await runGit(src, "push", "-q", u.toString(), "main");
    ({ browser, page } = await launchWithPage());
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("searches from the header box and fits the results page", async () => {
    await page.goto(`${f.url}/`);
    expect(await sidewaysOverflow(page)).toBe(0);
    const box = page.getByRole("searchbox", { name: "Search Micelio" });
    expect(await box.isVisible()).toBe(true);
    await box.fill("telescope");
    await box.press("Enter");
    await page.waitForURL(/\/search\?q=telescope/);
    expect(
      await page.getByRole("link", { name: /telescope-with-a-rather-long-project-handle/ }).isVisible(),
    ).toBe(true);
    expect(await page.getByRole("button", { name: "Search" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
  });

  it("fits code search results with a very long line", async () => {
    await page.goto(`${f.url}/phoebe/telescope-with-a-rather-long-project-handle/search?q=needle`);
    expect(await page.locator("mark", { hasText: "needle" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Search" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
  });
});
