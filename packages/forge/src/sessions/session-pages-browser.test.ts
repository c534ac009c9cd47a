// The session pages in a real browser (playwright-core driving Debian's Chromium) at a
// 390×844 phone viewport: no page-level horizontal overflow on a session with long goals,
// paths, lines and tool output, on the session list or on the activity page; tool calls
// fold open; and an open session's page reloads itself when the session lands (the live
// script following the event stream). Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, sidewaysOverflow } from "../testing/pages.ts";
import { type SessionApi, sessionApi } from "./session-pages-fixture.ts";

const LONG = "x".repeat(400);

describe("browser: session pages on a phone", () => {
  let f: TestForge;
  let browser: Browser;
  let page: Page;
  let s: SessionApi;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    f = await startTestForge();
    const owner = await userWithToken(f.url, "pia");
    await api(f.url, "POST", "/api/v1/projects", { token: owner.token, json: { handle: "phone" } });
    s = sessionApi(f.url, owner.token, "pia", "phone");
    const path = `deeply/nested/${"directory-with-a-long-name/".repeat(4)}file-${LONG.slice(0, 60)}.txt`;
    const agent = {
      name: "claude-code-with-a-rather-long-agent-name",
      model: "opus-4.1-preview-2026",
      version: "1.2.3",
    };
    const first = await s.open(`Landed: ${LONG}`, {
      agent,
      origin: "ai-generated",
      prompt: { text: `Land this: ${LONG}`, system: "You are terse." },
    });
    await s.events(first.id, [
      { kind: "prompt", text: `Do it ${LONG}`, tokens: 100 },
      { kind: "message", role: "assistant", text: `Sure ${LONG}` },
      { kind: "tool_call", tool: "bash", input: { command: LONG }, output: `${LONG}\n${LONG}`, ok: false },
      { kind: "output", text: LONG },
      { kind: "progress", text: "halfway", done: 1, total: 2 },
      { kind: "artifact", name: LONG.slice(0, 300), url: `https://example.test/${LONG}` },
    ]);
    await s.change(first.id, { [path]: `${LONG}\nshort\n`, "b.txt": "b\n" });
    expect((await s.land(first.id)).status).toBe(200);
    const refused = await s.open(`Refused: ${LONG}`, { base: 0 });
    await s.change(refused.id, { [path]: "other\n" });
    expect((await s.land(refused.id)).status).toBe(409);
    const waiting = await s.open("Waiting to land");
    await s.change(waiting.id, { "c.txt": "c\n" });
    Object.assign(ids, { first: first.id, refused: refused.id, waiting: waiting.id });
    ({ browser, page } = await launchWithPage({ width: 390, height: 844 }));
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("fits a landed session with long text, and folds tool calls", async () => {
    await page.goto(`${f.url}/pia/phone/sessions/${ids.first}`);
    expect(await page.getByText("Landed at position").isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    const tool = page.locator("details.ev-tool");
    expect(await tool.locator("pre").first().isVisible()).toBe(false);
    await tool.locator("summary").click();
    expect(await tool.locator("pre").first().isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
  });

  it("fits a refused session with its conflict, the session list and the activity", async () => {
    await page.goto(`${f.url}/pia/phone/sessions/${ids.refused}`);
    expect(await page.getByRole("heading", { name: "Last land refused: conflicts" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.goto(`${f.url}/pia/phone/sessions`);
    expect(await page.getByRole("button", { name: "Filter" }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.goto(`${f.url}/pia/phone/activity`);
    expect(await page.getByText("#1", { exact: true }).isVisible()).toBe(true);
    expect(await sidewaysOverflow(page)).toBe(0);
  });

  it("filters with the form, without script", async () => {
    await page.goto(`${f.url}/pia/phone/sessions`);
    await page.getByLabel("Status", { exact: true }).selectOption("landed");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=landed/);
    expect(await page.locator(".session-goal-link").count()).toBe(1);
  });

  it("reloads an open session's page when it lands", async () => {
    await page.goto(`${f.url}/pia/phone/sessions/${ids.waiting}`);
    expect(await page.getByText("Open: not landed yet").isVisible()).toBe(true);
    // Landed from outside the page, perhaps before the script connects: it follows the
    // stream from the event id the page was rendered at, so it sees the landing either way.
    expect((await s.land(ids.waiting)).status).toBe(200);
    await page.getByText("Landed at position").waitFor({ timeout: 15_000 });
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.goto("about:blank"); // closes the stream before the forge stops
  });
});
