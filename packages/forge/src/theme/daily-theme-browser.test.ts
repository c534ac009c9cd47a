// The daily theme end to end, against a chat-completions server run by the test (node:http):
// a low-contrast answer is rejected and the date's fallback theme used, a broken answer and a
// timeout fall back too, and a good answer is validated, stored (themes/<day>.json) and
// applied: Chromium reads its colours from the page's CSS custom properties and the footer
// shows its description. The home page with the theme fits 320 px without horizontal
// overflow. The API key goes out in the Authorization header and never into the logs.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../ops/logger.ts";
import { type ChatServer, startChatServer } from "../testing/chat-server.ts";
import { launchChromium } from "../testing/chromium.ts";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { documentWidth, newPageAt, PHONE } from "../testing/pages.ts";
import { DailyTheme, dayOf, themeKey } from "./daily-theme.ts";
import { fallbackTheme } from "./fallback.ts";
import type { Theme } from "./theme-schema.ts";

const KEY = "sk-test-very-secret-key";
const GOOD: Theme = {
  name: "Lichen Morning",
  description: "Soft lichen greens and a deep plum accent for a patient, growing day.",
  palette: {
    bg: "#f6f8f2",
    fg: "#1b2416",
    muted: "#4d5a45",
    accent: "#6b2d5c",
    accentFg: "#ffffff",
    border: "#cfd8c4",
    card: "#ffffff",
    danger: "#a1231b",
  },
  typeScale: { base: 16, ratio: 1.2 },
  font: "serif",
};
const LOW_CONTRAST: Theme = {
  ...GOOD,
  name: "Fog",
  description: "Grey on grey.",
  palette: { ...GOOD.palette, fg: "#b0b0b0", muted: "#c8c8c8" },
};

type Mode = "low" | "broken" | "hang" | "good";

describe("daily theme from a chat-completions endpoint", () => {
  let f: TestForge;
  let llm: ChatServer;
  let browser: Browser;
  let mode: Mode = "low";
  const today = dayOf(new Date());
  const html = async () => (await fetch(`${f.url}/`)).text();
  const footer = (page: string) => /<span class="theme-note"[^>]*>([\s\S]*?)<\/span>/.exec(page)?.[1] ?? "";

  beforeAll(async () => {
    llm = await startChatServer(() =>
      mode === "hang" // never answers: the forge's timeout must end it
        ? null
        : mode === "broken"
          ? "Here is a lovely theme! (no JSON, sorry)"
          : `\`\`\`json\n${JSON.stringify(mode === "good" ? GOOD : LOW_CONTRAST)}\n\`\`\``,
    );
    f = await startTestForge({
      MICELIO_DAILY_THEME: "on",
      MICELIO_LLM_URL: llm.url,
      MICELIO_LLM_API_KEY: KEY,
      MICELIO_LLM_MODEL: "theme-model",
      MICELIO_LLM_TIMEOUT_MS: "4000", // generous: a busy CI machine is slow to send the first request
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
    await llm?.close();
  });

  it("a low-contrast answer (the start-up warm-up) is rejected: the date's fallback is used", async () => {
    await f.forge.theme.idle();
    expect(llm.requests.length).toBe(1);
    expect(llm.requests[0]!.auth).toBe(`Bearer ${KEY}`);
    expect(llm.requests[0]!.body.model).toBe("theme-model");
    expect(llm.requests[0]!.body.messages.at(-1).content).toContain(today);
    const page = await html();
    const fallback = fallbackTheme(today);
    expect(footer(page)).toContain(fallback.description);
    expect(page).toContain(`--fg:${fallback.palette.fg}`);
    expect(page).not.toContain(LOW_CONTRAST.palette.fg);
    expect(await f.forge.objects.has(themeKey(today))).toBe(false);
  });

  it("a broken answer and a timeout fall back too", async () => {
    for (const m of ["broken", "hang"] as const) {
      mode = m;
      const active = await f.forge.theme.refresh(today, { force: true });
      expect(active.source, m).toBe("fallback");
      expect(footer(await html()), m).toContain(fallbackTheme(today).description);
    }
    expect(llm.requests.length).toBe(3);
  });

  it("a good answer is stored and applied: custom properties and footer show it", async () => {
    mode = "good";
    expect((await f.forge.theme.refresh(today, { force: true })).source).toBe("llm");
    const stored = JSON.parse((await f.forge.objects.get(themeKey(today)))!.toString("utf8"));
    expect(stored).toEqual(GOOD);
    const { context, page } = await newPageAt(browser, { width: 1024, height: 768 });
    await page.goto(`${f.url}/`);
    const props = await page.evaluate<string[]>(
      `["--bg", "--fg", "--accent", "--card"].map((p) => getComputedStyle(document.documentElement).getPropertyValue(p).trim())`,
    );
    expect(props).toEqual([GOOD.palette.bg, GOOD.palette.fg, GOOD.palette.accent, GOOD.palette.card]);
    expect(await page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).toBe(
      "rgb(246, 248, 242)",
    );
    expect(await page.locator(".theme-note").textContent()).toContain(GOOD.description);
    await context.close();
  });

  it("the home page with projects fits 320 px without horizontal overflow", async () => {
    const alice = await userWithToken(f.url, "alice");
    for (const handle of ["a-project-with-a-rather-long-handle-that-must-wrap", "small"]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: alice.token,
        json: {
          handle,
          visibility: "public",
          description: "A description long enough to wrap over lines at 320 px.",
        },
      });
      expect(r.status).toBe(201);
    }
    expect((await api(f.url, "PUT", "/api/v1/user/starred/alice/small", { token: alice.token })).status).toBe(
      204,
    );
    const { context, page } = await newPageAt(browser, PHONE);
    for (const path of ["/?sort=stars", "/explore?sort=active"]) {
      await page.goto(f.url + path);
      expect(await page.locator(".project-card").count(), path).toBe(2);
      expect(await documentWidth(page), path).toBeLessThanOrEqual(PHONE.width);
    }
    await context.close();
  });

  it("a stored theme is read back by a fresh process without asking the LLM; the key is never logged", async () => {
    const lines: string[] = [];
    const log = createLogger("debug");
    const capture = new Proxy(log, {
      get(target, prop) {
        if (["info", "warn", "error", "debug"].includes(String(prop)))
          return (...args: unknown[]) => lines.push(JSON.stringify(args));
        if (prop === "child") return () => capture;
        return Reflect.get(target, prop);
      },
    });
    const objects = f.forge.objects; // the same store, whichever kind it is
    const fresh = new DailyTheme({
      enabled: true,
      objects,
      log: capture,
      llm: { url: "http://127.0.0.1:9/v1", apiKey: KEY, model: "m", timeoutMs: 200 },
    });
    expect(fresh.current()?.source).toBe("fallback"); // at once, before the store was read
    await fresh.idle();
    expect(fresh.current()?.theme).toEqual(GOOD);
    // Another day: the endpoint is unreachable; the failure is logged without the key.
    const other = await fresh.refresh("2030-01-01");
    expect(other.source).toBe("fallback");
    expect(lines.join("\n")).toContain("daily theme request failed");
    expect(lines.join("\n")).not.toContain(KEY);
    const off = new DailyTheme({ enabled: false, objects, log: capture });
    expect(off.current()).toBeNull();
  });
});
