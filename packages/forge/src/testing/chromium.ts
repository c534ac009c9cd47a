// Launches Debian's Chromium for browser tests with the flags this machine needs (no
// sandbox as root, no background networking on a closed network). Fails, never skips,
// when Chromium is missing: CI installs it.
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function checkInstalled() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: this suite needs Chromium (apt-get install chromium)`);
  }
}

export async function launchChromium(): Promise<Browser> {
  checkInstalled();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Chromium with a profile in `userDataDir` (not incognito: what installing an app needs). */
export async function launchPersistentChromium(
  userDataDir: string,
  viewport: { width: number; height: number },
): Promise<BrowserContext> {
  checkInstalled();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
}
