// Passkeys in a real browser (playwright-core driving Debian's Chromium, 320 px wide) with a
// CDP virtual authenticator (CTAP2, internal, resident keys, user verification): sign up
// with a password, add a passkey, sign out, sign in with the passkey alone; then with an
// authenticator app turned on, the passkey replaces the code after the password. The forge
// is reached as http://localhost:PORT, since browsers refuse an IP address as RP ID.
// Fails (does not skip) when /usr/bin/chromium is missing: CI installs it.
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { launchWithPage, sidewaysOverflow } from "../testing/pages.ts";
import { base32Decode, hotp, timeStep } from "../two-factor/totp.ts";

describe("browser: passkeys with a virtual authenticator", () => {
  let f: TestForge;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let base: string;
  const password = "pw-passkey-person";

  const signCount = async () => {
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    return credentials.map((c) => c.signCount);
  };

  beforeAll(async () => {
    f = await startTestForge();
    base = f.url.replace("127.0.0.1", "localhost");
    ({ browser, page } = await launchWithPage());
    cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it("adds a passkey, then signs in with it alone", async () => {
    await page.goto(`${base}/signup`);
    await page.fill("#handle", "petra");
    await page.fill("#email", "petra@example.test");
    await page.fill("#password", password);
    await page.click("button:has-text('Sign up')");
    await page.waitForURL(`${base}/`);

    await page.goto(`${base}/settings/passkeys`);
    await page.waitForSelector("#passkey-add:not([hidden])");
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.fill("#passkey-name", "Laptop");
    await page.fill("#passkey-password", password);
    await page.click("button:has-text('Add a passkey')");
    await page.waitForSelector('text=Passkey "Laptop" added.');
    expect(await page.textContent("#passkeys")).toContain("Laptop");
    expect(await sidewaysOverflow(page)).toBe(0);
    expect(await signCount()).toHaveLength(1);

    await page.click("button:has-text('Log out')");
    await page.goto(`${base}/login?next=/settings/devices`);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.click("button:has-text('Sign in with a passkey')");
    await page.waitForURL(`${base}/settings/devices`);
    expect(await page.textContent("#sessions")).toContain("with passkey");
    const stored = await f.forge.db
      .selectFrom("passkeys")
      .select(["counter", "last_used_at"])
      .executeTakeFirstOrThrow();
    expect(stored.last_used_at).not.toBeNull();
    expect(Number(stored.counter)).toBe((await signCount())[0]);
  });

  it("is accepted instead of the code when two-factor is on", async () => {
    await page.goto(`${base}/settings/two-factor`);
    await page.fill("#setup-password", password);
    await page.click("text=Set up an authenticator app");
    const key = base32Decode((await page.textContent("#totp-secret"))!.trim())!;
    await page.fill("#confirm-code", hotp(key, timeStep(Date.now())));
    await page.click("text=Turn on two-factor authentication");
    await page.waitForSelector("#recovery-codes");

    await page.click("button:has-text('Log out')");
    await page.goto(`${base}/login?next=/settings/devices`);
    await page.fill("#login", "petra");
    await page.fill("#password", password);
    await page.click("button[type=submit]:has-text('Log in')");
    await page.waitForURL(`${base}/login/two-factor`);
    await page.waitForSelector("#passkey-step:not([hidden])");
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.click("button:has-text('Use a passkey')");
    await page.waitForURL(`${base}/settings/devices`);
    expect(await page.textContent("#sessions")).toContain("password and passkey");
    const log = await f.forge.db
      .selectFrom("audit_log")
      .select("data")
      .where("action", "=", "auth.sign_in")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(log.data).toEqual({ method: "password+passkey", passkey: "Laptop" });
  });
});
