// The review budget and batch review pages in a real browser (Debian's Chromium) on a 320 px
// phone: the over-capacity banner, the accounting tables and the grouped diffs fit without
// sideways scrolling, and an administrator approves the ticked sessions with the batch form
// (no script needed). Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, PHONE, sidewaysOverflow } from "../testing/pages.ts";
import { type Roles, setUpRoles } from "../testing/roles.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const LONG = "z".repeat(200);

describe("browser: review budget and batch review on a phone", () => {
  let f: TestForge;
  let r: Roles;
  let browser: Browser;
  let page: Page;
  const base = "/api/v1/projects/acme/queue";
  const ids: string[] = [];

  beforeAll(async () => {
    f = await startTestForge();
    r = await setUpRoles(f.url);
    expect(
      (await r.call("owner", "POST", "/api/v1/projects", { handle: "queue", owner: "acme" })).status,
    ).toBe(201);
    await r.call("owner", "PUT", `${base}/review-budget`, { minutes_per_week: 5 });
    for (const name of ["one", "two", "three"]) {
      const goal = `Rename ${name} ${LONG}`;
      const s = await r.call("member", "POST", `${base}/sessions`, {
        goal,
        agent: { name: "bot", model: "model-x" },
        prompt: { text: goal },
      });
      const path = `src/${LONG}/${name}.txt`;
      await r.call("member", "PUT", `${base}/sessions/${s.body.id}/changes`, {
        changes: [{ path, content: b64(`${name} ${LONG}\n`.repeat(20)) }],
      });
      expect((await r.call("member", "POST", `${base}/sessions/${s.body.id}/land`)).status).toBe(409);
      ids.push(s.body.id);
    }
    ({ browser, page } = await launchWithPage(PHONE));
    await page.goto(`${f.url}/login`);
    await page.fill('input[name="login"]', "olivia");
    await page.fill('input[name="password"]', r.accounts.owner.password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.press('input[name="password"]', "Enter"),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("fits the budget page with its banner and tables", async () => {
    await page.goto(`${f.url}/acme/queue/settings/review-budget`);
    expect(await page.getByRole("heading", { name: "Review budget" }).isVisible()).toBe(true);
    expect(await page.locator(".review-capacity").isVisible()).toBe(true);
    expect(await page.getByRole("cell", { name: "mia/bot" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    if (process.env.SCREENSHOTS) await page.screenshot({ path: "/tmp/review-budget.png", fullPage: true });
  });

  it("approves the ticked sessions of a group with the batch form", async () => {
    await page.goto(`${f.url}/acme/queue/sessions/review-batch`);
    expect(await page.locator(".review-group").count()).toBe(1);
    await page.locator(".review-group details").first().locator("summary").click();
    expect(await sidewaysOverflow(page)).toBe(0);
    if (process.env.SCREENSHOTS) await page.screenshot({ path: "/tmp/review-batch.png", fullPage: true });
    await page.locator(`#pick-${ids[2]}`).uncheck();
    await Promise.all([
      page.waitForLoadState("load"),
      page.getByRole("button", { name: "Approve selected" }).click(),
    ]);
    expect(await page.getByText("2 decided, 0 not.").isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    const approved = await Promise.all(
      ids.map(async (id) => (await r.call("anonymous", "GET", `${base}/sessions/${id}`)).body.approved_by),
    );
    expect(approved).toEqual(["olivia", "olivia", null]);
  });
});
