// The store of linked identities (an account at a provider, linked to one user), and the
// count of ways a user can sign in, which unlinking must never bring to zero.
import type { Db } from "../db/db.ts";
import type { UserIdentity } from "../db/schema.ts";

export async function findIdentity(
  db: Db,
  provider: string,
  providerUserId: string,
): Promise<UserIdentity | undefined> {
  return db
    .selectFrom("user_identities")
    .selectAll()
    .where("provider", "=", provider)
    .where("provider_user_id", "=", providerUserId)
    .executeTakeFirst();
}

export async function listIdentities(db: Db, userId: string): Promise<UserIdentity[]> {
  return db
    .selectFrom("user_identities")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export async function touchIdentity(db: Db, id: string): Promise<void> {
  await db.updateTable("user_identities").set({ last_used_at: new Date() }).where("id", "=", id).execute();
}

/**
 * The ways a user can sign in: a password and each linked identity. The one place to count
 * them; other methods (passkeys) are added here.
 */
export async function signInMethods(db: Db, userId: string) {
  const account = await db
    .selectFrom("accounts")
    .select("password_hash")
    .where("id", "=", userId)
    .executeTakeFirst();
  const identities = await db
    .selectFrom("user_identities")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  const password = Boolean(account?.password_hash);
  const linked = Number(identities.n);
  return { password, identities: linked, total: (password ? 1 : 0) + linked };
}
