// The quality dashboard in a real browser (Debian's Chromium) on phones 320 and 390 px wide:
// the charts scale to the width and the page never scrolls sideways (wide tables scroll in
// their own box). Fails (does not skip) when /usr/bin/chromium is missing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, PHONE, sidewaysOverflow } from "../testing/pages.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("browser: the quality dashboard on a phone", () => {
  let f: TestForge;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    f = await startTestForge();
    const pia = await userWithToken(f.url, "pia");
    const call = (method: string, path: string, json?: unknown) =>
      api(f.url, method, `/api/v1/projects${path}`, { token: pia.token, json });
    await api(f.url, "POST", "/api/v1/projects", { token: pia.token, json: { handle: "phone" } });
    await call("PUT", "/pia/phone/agent-policy", { strictness: "off", checkpoints: 0 });
    for (const [i, agent] of [
      null,
      { name: "a-rather-long-agent-name", model: "a-model-with-a-long-name-4.5" },
      null,
    ].entries()) {
      const s = await call("POST", "/pia/phone/sessions", {
        goal: `Change ${i}`,
        ...(agent ? { agent, prompt: { text: "go" } } : {}),
      });
      await call("PUT", `/pia/phone/sessions/${s.body.id}/changes`, {
        changes: [{ path: `f${i}.txt`, content: b64("x\n") }],
      });
      await call("POST", `/pia/phone/sessions/${s.body.id}/${i === 2 ? "abandon" : "land"}`);
    }
    ({ browser, page } = await launchWithPage(PHONE));
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  for (const width of [PHONE.width, 390])
    it(`fits ${width} px: charts scaled to the width, no sideways scrolling`, async () => {
      await page.setViewportSize({ width, height: 800 });
      for (const path of ["/pia/phone/quality", "/quality"]) {
        await page.goto(f.url + path);
        const charts = page.locator("svg.chart");
        expect(await charts.count()).toBeGreaterThanOrEqual(4);
        for (const box of await Promise.all((await charts.all()).map((c) => c.boundingBox()))) {
          expect(box!.width).toBeGreaterThan(width * 0.75);
          expect(box!.x + box!.width).toBeLessThanOrEqual(width);
        }
        expect(await sidewaysOverflow(page), path).toBe(0);
      }
    });
});
