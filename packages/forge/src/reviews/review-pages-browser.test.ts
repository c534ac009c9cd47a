// The session page's review in a real browser (Debian's Chromium) on a 320 px phone: long
// comments, paths and suggested prompts fit without sideways scrolling; a signed-in reviewer
// adds a prompt suggestion with the form (no script needed) and sees it under the prompt,
// then resolves it. Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, PHONE, sidewaysOverflow } from "../testing/pages.ts";

const LONG = "y".repeat(300);

describe("browser: the review on a phone", () => {
  let f: TestForge;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    f = await startTestForge();
    const pia = await userWithToken(f.url, "pia");
    await api(f.url, "POST", "/api/v1/projects", { token: pia.token, json: { handle: "phone" } });
    const s = await api(f.url, "POST", "/api/v1/projects/pia/phone/sessions", {
      token: pia.token,
      json: { goal: "Shorter lines", agent: { name: "coder" }, prompt: { text: `Do ${LONG}` } },
    });
    url = `${f.url}/pia/phone/sessions/${s.body.id}`;
    const comments = `/api/v1/projects/pia/phone/sessions/${s.body.id}/comments`;
    await api(f.url, "POST", comments, {
      token: pia.token,
      json: {
        kind: "change-request",
        body: `Too long: ${LONG}\n\n\`\`\`\n${LONG}\n\`\`\``,
        path: `src/${LONG}.ts`,
        line: 3,
      },
    });
    await api(f.url, "POST", comments, {
      token: pia.token,
      json: { kind: "prompt-suggestion", body: LONG, suggested_prompt: `Rewrite ${LONG}` },
    });
    ({ browser, page } = await launchWithPage(PHONE));
    await page.goto(`${f.url}/login`);
    await page.fill('input[name="login"]', "pia");
    await page.fill('input[name="password"]', pia.password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.press('input[name="password"]', "Enter"),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("fits long comments, paths and suggested prompts", async () => {
    await page.goto(url);
    expect(await page.getByRole("heading", { name: "Review", exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole("heading", { name: "Prompt suggestions (1)" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
  });

  it("adds a prompt suggestion with the form and resolves it", async () => {
    await page.goto(url);
    await page.getByLabel("Kind").selectOption("prompt-suggestion");
    await page.getByLabel("Comment (markdown)").fill("Mention the *80 column* limit");
    await page.locator("#comment-form summary").click();
    await page.getByLabel(/Suggested prompt/).fill("Wrap every line at 80 columns");
    await Promise.all([page.waitForURL(/#comment-/), page.getByRole("button", { name: "Add" }).click()]);
    expect(await page.getByRole("heading", { name: "Prompt suggestions (2)" }).isVisible()).toBe(true);
    expect(await page.locator(".prompt-suggestions em", { hasText: "80 column" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    const added = page.locator(".review-comment", { hasText: "80 column" });
    await Promise.all([page.waitForURL(/#comment-/), added.getByRole("button", { name: "Resolve" }).click()]);
    expect(await page.getByRole("heading", { name: "Prompt suggestions (1)" }).isVisible()).toBe(true);
    expect(
      await page
        .locator(".review-comment", { hasText: "80 column" })
        .getByRole("button", { name: "Reopen" })
        .isVisible(),
    ).toBe(true);
  });
});
