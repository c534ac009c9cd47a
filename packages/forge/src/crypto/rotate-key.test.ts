// Key rotation: a box with previous keys opens values sealed with any of them and seals with
// the current one only; rotateSecrets re-seals every sealed column of the database (each table
// in SEALED_COLUMNS, on a real migrated database), leaves plaintext and unreadable values
// alone, is resumable (a second run finds nothing to do), and after it the old key can go.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.ts";
import { testDatabase } from "../testing/database.ts";
import { pendingRotation, rotateSecrets, SEALED_COLUMNS } from "./rotate-key.ts";
import { rotateKeyCommand } from "./rotate-key-cli.ts";
import { createSecretBox, KEY_BYTES, SecretBoxError } from "./secret-box.ts";

const oldKey = randomBytes(KEY_BYTES);
const newKey = randomBytes(KEY_BYTES);
const lostKey = randomBytes(KEY_BYTES);
const oldBox = createSecretBox(oldKey);
const lostBox = createSecretBox(lostKey);
const rotating = createSecretBox(newKey, [oldKey]);

describe("a box with previous keys", () => {
  it("opens what each key sealed, seals with the current key only", () => {
    const sealedOld = oldBox.seal("old secret");
    expect(rotating.open(sealedOld)).toBe("old secret");
    expect(rotating.seal("x")).toMatch(new RegExp(`^enc:v1:${rotating.keyId}:`));
    expect(rotating.keyIds).toEqual([rotating.keyId, oldBox.keyId]);
    expect(() => createSecretBox(newKey).open(sealedOld)).toThrow(SecretBoxError);
    // An altered value sealed with the previous key is still refused as tampered.
    // (A character inside the payload: near the end, a base64 character may carry only padding bits.)
    const at = sealedOld.length - 12;
    const altered = `${sealedOld.slice(0, at)}${sealedOld[at] === "A" ? "B" : "A"}${sealedOld.slice(at + 1)}`;
    try {
      rotating.open(altered);
      expect.unreachable();
    } catch (err) {
      expect((err as SecretBoxError).problem).toMatch(/tampered|malformed/);
    }
    expect(() => rotating.open(lostBox.seal("x"))).toThrow(/sealed with secret key/);
  });
});

describe("rotateSecrets", () => {
  let h: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    h = await testDatabase({ template: true });
    const db = h.handle.db;
    await sql`INSERT INTO accounts (id, kind, handle) VALUES ('u1', 'user', 'ana'), ('o1', 'org', 'acme')`.execute(
      db,
    );
    const s = (v: string) => oldBox.seal(v);
    await sql`INSERT INTO user_totp (user_id, secret) VALUES ('u1', ${s("JBSWY3DPEHPK3PXP")})`.execute(db);
    await sql`INSERT INTO oauth_flows (id, provider, state, code_verifier, nonce, invite, expires_at)
      VALUES ('f1', 'github', 'st', ${s("verifier")}, 'n', ${s("invite-1")}, now() + interval '1 hour'),
             ('f2', 'github', 'st2', ${lostBox.seal("lost")}, 'n', NULL, now() + interval '1 hour')`.execute(
      db,
    );
    await sql`INSERT INTO oauth_signups (id, provider, provider_user_id, issuer, invite, expires_at)
      VALUES ('s1', 'github', '42', 'gh', ${s("invite-2")}, now() + interval '1 hour')`.execute(db);
    await sql`INSERT INTO webhooks (id, org_id, url, secret, events) VALUES ('w1', 'o1', 'https://h.example', ${s("hook-secret")}, '{push}')`.execute(
      db,
    );
    await sql`INSERT INTO federation_keys (owner_id, public_jwk, private_jwk) VALUES ('u1', '{}', ${s('{"d":"x"}')})`.execute(
      db,
    );
    await sql`INSERT INTO storage_configs (id, account_id, provider, bucket, region, access_key_id, secret_access_key)
      VALUES ('c1', 'u1', 'minio', 'b', 'us-east-1', ${s("AKID")}, ${s("SECRET")})`.execute(db);
  });
  afterAll(() => h?.cleanup());

  it("lists only columns that exist", async () => {
    for (const c of SEALED_COLUMNS) {
      const found =
        await sql`SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${c.table} AND column_name = ${c.column}`.execute(
          h.handle.db,
        );
      expect(found.rows.length, `${c.table}.${c.column}`).toBeGreaterThan(0);
    }
  });

  it("re-seals every value with the new key, keeps each secret, and a second run has nothing to do", async () => {
    const db = h.handle.db;
    expect(await pendingRotation(db, rotating)).toBe(9);
    const report = await rotateSecrets(db, rotating);
    expect(report).toMatchObject({ resealed: 8, unreadable: 1 });
    expect(await pendingRotation(db, rotating)).toBe(1); // the one no accepted key opens
    const only = createSecretBox(newKey); // the old key removed
    const one = async (q: string) => only.open(((await sql.raw(q).execute(db)).rows[0] as { v: string }).v);
    expect(await one("SELECT secret AS v FROM user_totp")).toBe("JBSWY3DPEHPK3PXP");
    expect(await one("SELECT code_verifier AS v FROM oauth_flows WHERE id = 'f1'")).toBe("verifier");
    expect(await one("SELECT invite AS v FROM oauth_flows WHERE id = 'f1'")).toBe("invite-1");
    expect(await one("SELECT invite AS v FROM oauth_signups")).toBe("invite-2");
    expect(await one("SELECT secret AS v FROM webhooks")).toBe("hook-secret");
    expect(await one("SELECT private_jwk AS v FROM federation_keys")).toBe('{"d":"x"}');
    expect(await one("SELECT access_key_id AS v FROM storage_configs")).toBe("AKID");
    expect(await one("SELECT secret_access_key AS v FROM storage_configs")).toBe("SECRET");
    // The unreadable value is left as it was (restoring its key repairs it).
    const lost = (
      await sql<{ v: string }>`SELECT code_verifier AS v FROM oauth_flows WHERE id = 'f2'`.execute(db)
    ).rows[0];
    expect(lostBox.open(lost!.v)).toBe("lost");
    expect(await rotateSecrets(db, rotating)).toMatchObject({ resealed: 0, unreadable: 1 });
    // With the lost key restored as a previous key, the last one is re-sealed too.
    await rotateSecrets(db, createSecretBox(newKey, [oldKey, lostKey]));
    expect(await pendingRotation(db, rotating)).toBe(0);
  });
});

describe("micelio rotate-key", () => {
  it("reads the keys from the environment, re-seals, and says when the old key can go", async () => {
    const h = await testDatabase({ template: true });
    try {
      const db = h.handle.db;
      await sql`INSERT INTO accounts (id, kind, handle) VALUES ('o1', 'org', 'acme')`.execute(db);
      await sql`INSERT INTO webhooks (id, org_id, url, secret, events) VALUES ('w1', 'o1', 'https://h.example', ${oldBox.seal("s")}, '{push}')`.execute(
        db,
      );
      const config = loadConfig({
        MICELIO_DATA_DIR: "/nonexistent",
        MICELIO_SECRET_KEY: newKey.toString("hex"),
        MICELIO_SECRET_KEY_PREVIOUS: ` ${oldKey.toString("base64")} , ${lostKey.toString("hex")}`,
      });
      let out = "";
      let err = "";
      // The handle stays open for the checks below: the command closes what `open` gives it.
      const code = await rotateKeyCommand(config, {
        open: async () => ({ ...h.handle, close: async () => {} }),
        out: (t) => (out += t),
        err: (t) => (err += t),
      });
      expect(code, err).toBe(0);
      expect(out).toMatch(/webhooks\.secret: 1 re-sealed/);
      expect(out).toMatch(/MICELIO_SECRET_KEY_PREVIOUS can be removed/);
      const row = (await sql<{ v: string }>`SELECT secret AS v FROM webhooks`.execute(db)).rows[0]!;
      expect(createSecretBox(newKey).open(row.v)).toBe("s");
      // A bad previous key stops the start, without repeating the value.
      expect(() => loadConfig({ MICELIO_SECRET_KEY_PREVIOUS: "not-a-key-at-all" })).toThrow(/32 bytes/);
      try {
        loadConfig({ MICELIO_SECRET_KEY_PREVIOUS: "not-a-key-at-all" });
      } catch (e) {
        expect(String(e)).not.toContain("not-a-key-at-all");
      }
    } finally {
      await h.cleanup();
    }
  });
});
