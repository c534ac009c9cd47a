// The forge's attestation key: one Ed25519 key pair per instance, made on first use. The
// private key (PKCS#8 PEM) is kept in instance_settings sealed with the instance secret box
// (docs/adr/0020-secrets-at-rest.md), so a copy of the database alone cannot sign; the public
// key is published at GET /api/v1/attestation-key. Two processes making it at once agree: the
// first insert wins and both read it back.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";

const SETTING = "attestation_signing_key";

export interface ForgeKey {
  /** "ed25519:" and the first 32 hex digits of the SHA-256 of the public key's DER. */
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

/** A public key's id, the same for people's and the forge's keys. */
export const keyIdOf = (publicKey: KeyObject) =>
  `ed25519:${createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")
    .slice(0, 32)}`;

const cache = new WeakMap<Db, Promise<ForgeKey>>();

export function forgeKey(db: Db, box: SecretBox): Promise<ForgeKey> {
  let key = cache.get(db);
  if (!key) {
    key = loadOrCreate(db, box);
    key.catch(() => cache.delete(db));
    cache.set(db, key);
  }
  return key;
}

async function loadOrCreate(db: Db, box: SecretBox): Promise<ForgeKey> {
  let row = await db
    .selectFrom("instance_settings")
    .select("value")
    .where("key", "=", SETTING)
    .executeTakeFirst();
  if (!row) {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await db
      .insertInto("instance_settings")
      .values({ key: SETTING, value: box.seal(pem) })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    row = await db
      .selectFrom("instance_settings")
      .select("value")
      .where("key", "=", SETTING)
      .executeTakeFirstOrThrow();
  }
  // A key sealed with another instance key throws here (SecretBoxError): attestations are
  // refused until that key is restored, rather than signed with a new, unannounced key.
  const privateKey = createPrivateKey(box.open(row.value));
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
