// The ways a user can sign in: a password, each linked identity (oauth/) and each passkey
// (passkeys/). The one place to count them: unlinking must never bring the total to zero.
import type { Db } from "../db/db.ts";
import { countPasskeys } from "../passkeys/passkey-store.ts";

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
  const passkeys = await countPasskeys(db, userId);
  return { password, identities: linked, passkeys, total: (password ? 1 : 0) + linked + passkeys };
}
