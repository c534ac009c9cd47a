// TOTP secrets encrypted at rest, through real forges sharing one database and data directory:
// the enrolment page shows the secret once while the row holds only a sealed value; a forge
// restarted on the same data directory (same secret.key) still verifies codes; a forge with
// another key refuses codes with a friendly message (no internals), logs that the key is
// wrong, and still takes recovery codes; rows stored in plain text keep working and are sealed,
// at start-up or on their first successful use.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.ts";
import { KEY_FILE } from "../crypto/secret-key.ts";
import type { DatabaseHandle } from "../db/db.ts";
import { type RunningForge, startForge } from "../server.ts";
import { Browser, userWithToken } from "../testing/client.ts";
import { testDatabase } from "../testing/database.ts";
import { Authenticator, recoveryCodesOf, secretOf } from "./test-authenticator.ts";
import { base32Encode, timeStep } from "./totp.ts";

describe("two-factor secrets at rest", () => {
  let database: { handle: DatabaseHandle; cleanup(): Promise<void> };
  let dataDir: string;
  const running: RunningForge[] = [];

  beforeAll(async () => {
    database = await testDatabase({ migrate: false, template: true });
    dataDir = mkdtempSync(join(tmpdir(), "micelio-test-"));
  });
  afterAll(async () => {
    for (const r of running) await r.stop();
    await database.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A forge on the shared database and data directory; its log lines are kept. */
  async function start(env: Record<string, string> = {}) {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      MICELIO_DATA_DIR: dataDir,
      MICELIO_DAILY_THEME: "off",
      MICELIO_RATE_LIMIT_ANON: "100000",
      MICELIO_RATE_LIMIT_USER: "100000",
      ...env,
    });
    const r = await startForge(config, { database: database.handle, log });
    running.push(r);
    return { ...r, log: () => lines.join("") };
  }
  const stop = async (r: RunningForge) => {
    await r.stop();
    running.splice(running.indexOf(r), 1);
  };
  const db = () => database.handle.db;
  const storedSecret = async (userId: string) =>
    (
      await db()
        .selectFrom("user_totp")
        .select("secret")
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow()
    ).secret;
  const twoFactorFailures = async (userId: string) =>
    (
      await db()
        .selectFrom("audit_log")
        .select("id")
        .where("target_id", "=", userId)
        .where("action", "=", "auth.two_factor_failed")
        .execute()
    ).length;

  /** Password, then the code: the status and page of the second step. */
  async function logIn(url: string, handle: string, password: string, code: string) {
    const b = new Browser(url);
    expect((await b.submit("/login", "/login", { login: handle, password })).location).toBe(
      "/login/two-factor",
    );
    return b.submit("/login/two-factor", "/login/two-factor", { code });
  }

  let sara: { id: string; password: string; app: Authenticator; codes: string[]; keyId: string };

  it("stores the secret sealed while the enrolment page shows it once", async () => {
    const f = await start();
    const u = await userWithToken(f.url, "sara");
    const b = new Browser(f.url);
    await b.submit("/login", "/login", { login: "sara", password: u.password });
    await b.submit("/settings/two-factor", "/settings/two-factor/setup", { password: u.password });
    const pending = await b.get("/settings/two-factor");
    const secret = secretOf(pending.html);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The pending row is sealed already; only the page shows the secret (and its QR code).
    const sealedPending = await storedSecret(u.user.id);
    expect(sealedPending).toMatch(new RegExp(`^enc:v1:${f.forge.secrets.keyId}:[A-Za-z0-9_-]+$`));
    expect(sealedPending).not.toContain(secret);
    const app = new Authenticator(secret);
    const on = await b.submit("/settings/two-factor", "/settings/two-factor/confirm", {
      code: await app.next(),
    });
    expect(on.status).toBe(200);
    expect(on.html).toContain("Two-factor authentication is now on.");
    const codes = recoveryCodesOf(on.html);
    // Once on, the page no longer shows the secret; the database holds no trace of it.
    expect((await b.get("/settings/two-factor")).html).not.toContain('id="totp-secret"');
    const rows = await db().selectFrom("user_totp").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows).toLowerCase()).not.toContain(secret.toLowerCase());
    expect(await storedSecret(u.user.id)).toMatch(/^enc:v1:/);
    // The key file was made with the first start: owner-only, and never logged.
    const keyFile = join(dataDir, KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(f.log()).toContain("made a new secret key");
    sara = { id: u.user.id, password: u.password, app, codes, keyId: f.forge.secrets.keyId };
    await stop(f);
  });

  it("a forge restarted on the same data directory still verifies codes", async () => {
    const f = await start();
    expect(f.forge.secrets.keyId).toBe(sara.keyId);
    expect(f.log()).not.toContain("made a new secret key");
    const ok = await logIn(f.url, "sara", sara.password, await sara.app.next());
    expect(ok.status).toBe(303);
    expect(ok.location).toBe("/");
    await stop(f);
  });

  it("with another key, codes are refused kindly, the log says the key is wrong, recovery codes still work", async () => {
    const key = randomBytes(32).toString("hex");
    const f = await start({ MICELIO_SECRET_KEY: key });
    expect(f.forge.secrets.keyId).not.toBe(sara.keyId);
    // At start-up the operator is told that secrets sealed with another key were found.
    expect(f.log()).toContain("two-factor secrets sealed with another secret key were found");
    const before = await twoFactorFailures(sara.id);
    const refused = await logIn(f.url, "sara", sara.password, sara.app.codeFor(timeStep(Date.now())));
    expect(refused.status).toBe(401);
    expect(refused.html).toContain("Codes from your authenticator app cannot be checked right now");
    expect(refused.html).toContain("Use one of your recovery codes");
    for (const internal of ["SecretBoxError", "enc:v1", sara.keyId, "stack", "Internal"])
      expect(refused.html).not.toContain(internal);
    const log = f.log();
    expect(log).toContain("a two-factor secret cannot be decrypted");
    expect(log).toContain(
      `sealed with secret key ${sara.keyId}, but this forge's secret key is ${f.forge.secrets.keyId}`,
    );
    expect(log).toContain('"user":"sara"');
    expect(log).not.toContain(key);
    // Not counted as a wrong code: the account is not pushed towards its limit.
    expect(await twoFactorFailures(sara.id)).toBe(before);
    // A recovery code signs in, and turning two-factor off with a code explains itself (400, not 500).
    const b = new Browser(f.url);
    await b.submit("/login", "/login", { login: "sara", password: sara.password });
    expect((await b.submit("/login/two-factor", "/login/two-factor", { code: sara.codes[0] })).status).toBe(
      303,
    );
    const off = await b.submit("/settings/two-factor", "/settings/two-factor/disable", {
      password: sara.password,
      code: sara.app.codeFor(timeStep(Date.now())),
    });
    expect(off.status).toBe(400);
    expect(off.html).toContain("this forge&#39;s secret key has changed");
    // The row is left as it was, for the right key to read again.
    expect(await storedSecret(sara.id)).toMatch(new RegExp(`^enc:v1:${sara.keyId}:`));
    await stop(f);
  });

  it("secrets stored in plain text keep working and are sealed: on first use, and at start-up", async () => {
    const f = await start();
    const lee = await userWithToken(f.url, "lee");
    const leo = await userWithToken(f.url, "leo");
    const leeSecret = base32Encode(randomBytes(20));
    const leoSecret = base32Encode(randomBytes(20));
    // As an older forge wrote them: the base32 secret itself.
    await db()
      .insertInto("user_totp")
      .values({ user_id: lee.user.id, secret: leeSecret, enabled_at: new Date() })
      .execute();
    const leeApp = new Authenticator(leeSecret);
    expect(await storedSecret(lee.user.id)).toBe(leeSecret);
    const ok = await logIn(f.url, "lee", lee.password, await leeApp.next());
    expect(ok.status).toBe(303);
    const sealed = await storedSecret(lee.user.id);
    expect(sealed).toMatch(new RegExp(`^enc:v1:${f.forge.secrets.keyId}:`));
    expect(sealed).not.toContain(leeSecret);
    // A wrong code leaves a plain row as it is; the start-up pass seals it.
    await db()
      .insertInto("user_totp")
      .values({ user_id: leo.user.id, secret: leoSecret, enabled_at: new Date() })
      .execute();
    expect((await logIn(f.url, "leo", leo.password, "000000")).status).toBe(401);
    expect(await storedSecret(leo.user.id)).toBe(leoSecret);
    await stop(f);

    const g = await start();
    expect(g.log()).toContain("two-factor secrets stored in plain text were encrypted");
    expect(g.log()).toContain('"sealed":1');
    expect(await storedSecret(leo.user.id)).toMatch(new RegExp(`^enc:v1:${g.forge.secrets.keyId}:`));
    const leoApp = new Authenticator(leoSecret);
    expect((await logIn(g.url, "leo", leo.password, await leoApp.next())).status).toBe(303);
    expect((await logIn(g.url, "lee", lee.password, await leeApp.next())).status).toBe(303);
    await stop(g);
  });
});
