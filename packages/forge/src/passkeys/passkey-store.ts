// The passkeys table: a user's passkeys, one looked up by its credential id, adding,
// renaming and removing one, and the signature counter moved forward only from the value
// that was checked (so two uses racing with the same counter cannot both succeed).
import { ulid } from "@micelio/core/ulid";
import type { Db } from "../db/db.ts";
import type { Passkey } from "../db/schema.ts";

export const NAME_MAX = 60;

/** How many passkeys a user has (for "never remove the last way to sign in" rules). */
export async function countPasskeys(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom("passkeys")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listPasskeys(db: Db, userId: string): Promise<Passkey[]> {
  return db
    .selectFrom("passkeys")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at", "asc")
    .orderBy("id", "asc")
    .execute();
}

export function findByCredentialId(db: Db, credentialId: string): Promise<Passkey | undefined> {
  return db.selectFrom("passkeys").selectAll().where("credential_id", "=", credentialId).executeTakeFirst();
}

export function findUserPasskey(db: Db, userId: string, id: string): Promise<Passkey | undefined> {
  return db
    .selectFrom("passkeys")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** The WebAuthn user handle of a user: the one their passkeys carry, if they have any. */
export async function userHandleOf(db: Db, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("passkeys")
    .select("user_handle")
    .where("user_id", "=", userId)
    .limit(1)
    .executeTakeFirst();
  return row?.user_handle;
}

export interface NewPasskey {
  userId: string;
  name: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  userHandle: string;
  deviceType: string;
  backedUp: boolean;
}

export async function insertPasskey(db: Db, p: NewPasskey): Promise<Passkey> {
  return db
    .insertInto("passkeys")
    .values({
      id: ulid(),
      user_id: p.userId,
      name: p.name,
      credential_id: p.credentialId,
      public_key: p.publicKey,
      counter: p.counter,
      transports: p.transports,
      user_handle: p.userHandle,
      device_type: p.deviceType,
      backed_up: p.backedUp,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function renamePasskey(db: Db, userId: string, id: string, name: string): Promise<boolean> {
  const row = await db
    .updateTable("passkeys")
    .set({ name })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

export async function deletePasskey(db: Db, userId: string, id: string): Promise<Passkey | undefined> {
  return db
    .deleteFrom("passkeys")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

/** Records a use: the new counter, only if the stored one is still the one that was checked. */
export async function recordUse(db: Db, passkey: Passkey, newCounter: number): Promise<boolean> {
  const row = await db
    .updateTable("passkeys")
    .set({ counter: newCounter, last_used_at: new Date() })
    .where("id", "=", passkey.id)
    .where("counter", "=", Number(passkey.counter))
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}
