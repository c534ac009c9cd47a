// The passkey endpoints under hostile use: registration is for signed-in users only, every
// form needs this session's CSRF token, a registration that smuggles odd transports or a
// malformed credential is a 4xx (nothing stored), and sign-in with garbage is a 401, never a
// 5xx. (passkeys.test.ts covers replayed and foreign challenges, origins and counters.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { countPasskeys } from "./passkey-store.ts";
import { SoftPasskey } from "./test-passkey.ts";

describe("passkeys under hostile input", () => {
  let f: TestForge;
  let user: Awaited<ReturnType<typeof userWithToken>>;
  beforeAll(async () => {
    f = await startTestForge();
    user = await userWithToken(f.url, "pia");
  });
  afterAll(() => f.close());

  const signedIn = async () => {
    const b = new Browser(f.url);
    expect((await b.submit("/login", "/login", { login: "pia", password: user.password })).status).toBe(303);
    return b;
  };
  const registrationOptions = async (b: Browser) => {
    const r = await b.submit("/settings/passkeys", "/settings/passkeys/options", {
      name: "Key",
      password: user.password,
    });
    expect(r.status).toBe(200);
    return JSON.parse(r.html).options;
  };

  it("keeps registration from anonymous visitors and from forms without the CSRF token", async () => {
    const anon = new Browser(f.url);
    for (const action of [
      "/settings/passkeys/options",
      "/settings/passkeys",
      "/settings/passkeys/x/remove",
    ]) {
      const r = await anon.submit("/login", action, {
        name: "Key",
        password: user.password,
        credential: "{}",
      });
      expect([302, 303, 401, 403, 404], action).toContain(r.status);
      expect(r.location ?? "/login", action).toMatch(/^\/login/);
    }
    const b = await signedIn();
    for (const csrf of ["", "forged"]) {
      const r = await b.submit(
        "/settings/passkeys",
        "/settings/passkeys/options",
        { name: "Key", password: user.password },
        { csrf },
      );
      expect(r.status).toBe(403);
    }
    expect(await countPasskeys(f.forge.db, user.user.id)).toBe(0);
  });

  it("refuses a registration with malformed transports or credential with a 400, storing nothing", async () => {
    const b = await signedIn();
    const variants: Array<(c: Record<string, any>) => unknown> = [
      (c) => ({ ...c, response: { ...c.response, transports: "internal" } }),
      (c) => ({ ...c, response: { ...c.response, transports: [{ x: 1 }, 7] } }),
      (c) => ({ ...c, response: { ...c.response, transports: Array(50).fill("usb") } }),
      (c) => ({ ...c, response: { ...c.response, clientDataJSON: 12 } }),
      (c) => ({ ...c, response: { ...c.response, attestationObject: "%%%" } }),
      (c) => ({ ...c, id: "\u0000" }),
    ];
    for (const [i, change] of variants.entries()) {
      const options = await registrationOptions(b);
      const credential = JSON.stringify(change(new SoftPasskey().create(options, { origin: f.url })));
      const r = await b.submit("/settings/passkeys", "/settings/passkeys", { credential });
      expect(r.status, `variant ${i}`).toBe(400);
    }
    expect(await countPasskeys(f.forge.db, user.user.id)).toBe(0);
    // A well-formed one still works, with its transports kept as the browser listed them.
    const key = new SoftPasskey();
    const ok = await b.submit("/settings/passkeys", "/settings/passkeys", {
      credential: JSON.stringify(key.create(await registrationOptions(b), { origin: f.url })),
    });
    expect(ok.status).toBe(200);
    expect(await countPasskeys(f.forge.db, user.user.id)).toBe(1);
  });

  it("answers garbage at sign-in with a 401, never a 5xx", async () => {
    const anon = new Browser(f.url);
    const garbage = [
      "",
      "null",
      "[]",
      "{",
      JSON.stringify({ id: "\u0000", rawId: "x", type: "public-key", response: {} }),
      JSON.stringify({ id: "x".repeat(1400), rawId: "x", type: "public-key", response: { userHandle: {} } }),
      JSON.stringify({
        id: "AAAA",
        rawId: "AAAA",
        type: "public-key",
        response: { clientDataJSON: 1, authenticatorData: [], signature: null },
      }),
      "x".repeat(30_000),
    ];
    for (const credential of garbage) {
      const o = await anon.submit("/login", "/login/passkey/options", {});
      expect(o.status).toBe(200);
      const r = await anon.submit("/login", "/login/passkey", { credential });
      expect(r.status, credential.slice(0, 40)).toBe(401);
    }
    // Without a challenge at all.
    const fresh = new Browser(f.url);
    expect((await fresh.submit("/login", "/login/passkey", { credential: "{}" })).status).toBe(401);
  });
});
