// The live session page in a real browser (playwright-core, Debian's Chromium): while a test
// agent streams 500 events into an open session, the page shows every one of them in order
// without reloading — across dropped connections (the server ends each stream after a moment
// here, and the browser resumes with Last-Event-ID) — draws progress as bars, shows output
// with its terminal escapes removed, and reloads when the session closes.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, sidewaysOverflow } from "../testing/pages.ts";
import { STREAM_LIMITS } from "./session-follow.ts";

/** The page's document, typed as little as these checks need (no DOM library here). */
interface Doc {
  querySelectorAll(s: string): ArrayLike<{ id: string }>;
  querySelector(s: string): { value?: number; naturalWidth?: number } | null;
}

describe("browser: a live session", () => {
  let f: TestForge;
  let browser: Browser;
  let page: Page;
  let token: string;
  const saved = { ...STREAM_LIMITS };
  const base = "/api/v1/projects/lia/live/sessions";

  beforeAll(async () => {
    // Streams end after 1.5 s: the page must resume across many dropped connections.
    Object.assign(STREAM_LIMITS, { maxStreamMs: 1500, pollMs: 500 });
    f = await startTestForge();
    token = (await userWithToken(f.url, "lia")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "live" } });
    ({ browser, page } = await launchWithPage({ width: 390, height: 844 }));
  });
  afterAll(async () => {
    Object.assign(STREAM_LIMITS, saved);
    await browser?.close();
    await f?.close();
  });

  it("shows 500 streamed events in order without reloading, across dropped connections", async () => {
    const s = (await api(f.url, "POST", base, { token, json: { goal: "Work live" } })).body;
    await api(f.url, "POST", `${base}/${s.id}/events`, {
      token,
      json: { events: [{ kind: "status", status: "starting" }] },
    });
    await page.goto(`${f.url}/lia/live/sessions/${s.id}`);
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42; // gone if the page reloads
    });
    const esc = "\u001b";
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 50 }, (_, i) => {
        const n = batch * 50 + i + 1;
        return n % 10 === 0
          ? { kind: "progress", text: `step ${n}`, done: n, total: 500 }
          : { kind: "output", text: `${esc}[32mline ${n}${esc}[0m${esc}]0;title\u0007\n` };
      });
      expect((await api(f.url, "POST", `${base}/${s.id}/events`, { token, json: { events } })).status).toBe(
        201,
      );
      await new Promise((r) => setTimeout(r, 300)); // spread over several streams
    }
    // A locator waits without evaluating strings in the page (its CSP forbids eval).
    await page.locator("#event-501").waitFor({ state: "attached", timeout: 60_000 });
    const seqs = await page.evaluate(() =>
      Array.from(
        (globalThis as unknown as { document: Doc }).document.querySelectorAll("ol.timeline > li"),
        (li) => Number(li.id.slice(6)),
      ),
    );
    expect(seqs).toEqual(Array.from({ length: 501 }, (_, i) => i + 1));
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.textContent("#event-2 pre")).toBe("line 1\n");
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: Doc }).document.querySelector("#event-11 progress")?.value,
      ),
    ).toBe(10);
    expect(await sidewaysOverflow(page)).toBe(0);

    // An uploaded screenshot arrives as an image, loaded from the forge.
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    const shot = await fetch(`${f.url}${base}/${s.id}/artifacts?name=shot.png`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "image/png" },
      body: png,
    });
    expect(shot.status).toBe(201);
    await page.locator("#event-502 img").waitFor({ state: "attached", timeout: 20_000 });
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (globalThis as unknown as { document: Doc }).document.querySelector("#event-502 img")
              ?.naturalWidth,
        ),
      )
      .toBe(1);
    expect(await sidewaysOverflow(page)).toBe(0);

    expect((await api(f.url, "POST", `${base}/${s.id}/abandon`, { token })).status).toBe(200);
    await page.getByText("Abandoned").first().waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBeUndefined();
  });
});
