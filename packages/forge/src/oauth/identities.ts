// The store of linked identities: an account at a provider, linked to one user.
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
