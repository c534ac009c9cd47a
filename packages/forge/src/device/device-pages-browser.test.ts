// The /device page in a real browser (playwright-core driving Debian's Chromium) at 320 px
// wide: following the link a CLI prints leads through log-in back to the approval page,
// which fits the screen even with a long client name, and the Approve button completes the
// device's login. Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../testing/chromium.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { newPageAt, sidewaysOverflow } from "../testing/pages.ts";

describe("browser: device login on a small phone", () => {
  let f: TestForge;
  let browser: Browser;

  beforeAll(async () => {
    f = await startTestForge();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("logs in, shows the request without horizontal overflow, and approves", async () => {
    const carol = await userWithToken(f.url, "carol");
    const code = (
      await api(f.url, "POST", "/api/v1/device/code", {
        json: { client_name: `mic-on-${"x".repeat(53)}` },
      })
    ).body;
    const { context, page } = await newPageAt(browser);

    await page.goto(code.verification_uri_complete);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill("#login", carol.handle);
    await page.fill("#password", carol.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((u) => u.pathname === "/device");
    expect(await page.getByRole("heading", { name: "Approve device login?" }).isVisible()).toBe(true);
    expect(await page.getByText(code.user_code).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);

    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("heading", { name: "Device approved" }).waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);
    const token = await api(f.url, "POST", "/api/v1/device/token", {
      json: { device_code: code.device_code },
    });
    expect(token.status).toBe(200);
    expect(token.body.handle).toBe("carol");

    await page.goto(`${f.url}/device`);
    await page.fill("#code", "bbbb bbbb");
    await page.getByRole("button", { name: "Continue" }).click();
    expect(await page.getByText("No pending device login has this code").isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    await context.close();
  });
});
