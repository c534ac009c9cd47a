// The Ed25519 public keys a person (or an agent acting on their account) signs session
// content with. A token is a bearer secret the forge keeps only as a hash, so it cannot sign
// anything the forge could check later; instead the client makes a key pair, keeps the private
// key, and registers the public key here (docs/adr/0025-contribution-attestation.md).
import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "@hono/zod-openapi";
import type { Actor } from "../audit/audit.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { conflict, invalid, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { keyIdOf } from "./forge-key.ts";

export const MAX_KEYS = 20;

export const addKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    public_key: z.string().trim().min(40).max(1000).openapi({
      description: "An Ed25519 public key: SPKI PEM (-----BEGIN PUBLIC KEY-----) or base64 of its DER",
    }),
  })
  .strict();

/** A public key from PEM or base64 DER; Ed25519 only. */
export function parsePublicKey(text: string): KeyObject {
  let key: KeyObject;
  try {
    key = text.includes("-----BEGIN")
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
  } catch {
    throw invalid("public_key is not a public key (SPKI PEM or base64 DER)", [
      { field: "public_key", message: "not a public key" },
    ]);
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw invalid("public_key must be an Ed25519 key", [{ field: "public_key", message: "not Ed25519" }]);
  return key;
}

export const pemOf = (der: string) =>
  createPublicKey({ key: Buffer.from(der, "base64"), format: "der", type: "spki" })
    .export({ type: "spki", format: "pem" })
    .toString();

export interface SigningKeyRow {
  id: string;
  name: string;
  public_key: string;
  created_at: Date;
  revoked_at: Date | null;
}

export const signingKeyJson = (k: SigningKeyRow) => ({
  id: k.id,
  name: k.name,
  algorithm: "Ed25519",
  public_key: pemOf(k.public_key),
  created_at: k.created_at.toISOString(),
  revoked_at: k.revoked_at?.toISOString() ?? null,
});

export async function addSigningKey(
  db: Db,
  actor: Actor & { user: { id: string; handle: string } },
  input: unknown,
) {
  const data = requireValid(addKeySchema, input);
  const key = parsePublicKey(data.public_key);
  const id = keyIdOf(key);
  const der = key.export({ type: "spki", format: "der" }).toString("base64");
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom("signing_keys")
      .select(["account_id"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (existing) throw conflict("This public key is already registered");
    const count = await trx
      .selectFrom("signing_keys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", actor.user.id)
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_KEYS) throw conflict(`At most ${MAX_KEYS} signing keys: revoke one first`);
    const row = await trx
      .insertInto("signing_keys")
      .values({ id, account_id: actor.user.id, name: data.name, public_key: der })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, {
      action: "signing_key.add",
      targetType: "signing_key",
      targetId: id,
      target: data.name,
    });
    return row as SigningKeyRow;
  });
}

export async function listSigningKeys(db: Db, accountId: string) {
  return (await db
    .selectFrom("signing_keys")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("created_at", "desc")
    .execute()) as SigningKeyRow[];
}

/** Revoked keys stay listed (attestations made before keep naming them) but sign nothing new. */
export async function revokeSigningKey(
  db: Db,
  actor: Actor & { user: { id: string; handle: string } },
  id: string,
) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("signing_keys")
      .set({ revoked_at: new Date() })
      .where("id", "=", id)
      .where("account_id", "=", actor.user.id)
      .where("revoked_at", "is", null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound("No such signing key");
    await recordAudit(trx, actor, {
      action: "signing_key.revoke",
      targetType: "signing_key",
      targetId: id,
      target: row.name,
    });
    return row as SigningKeyRow;
  });
}

/** An account's key that may sign now, or null. */
export async function activeKey(db: Db, accountId: string, id: string) {
  return (
    ((await db
      .selectFrom("signing_keys")
      .selectAll()
      .where("id", "=", id)
      .where("account_id", "=", accountId)
      .where("revoked_at", "is", null)
      .executeTakeFirst()) as SigningKeyRow | undefined) ?? null
  );
}
