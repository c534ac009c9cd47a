// Single-use tokens mailed in links (address verification, password reset). The link holds
// a random token; the database holds only its SHA-256, the account, the address it was sent
// to and when it expires. Using a token marks it used in the same statement that checks it,
// so two concurrent uses cannot both succeed. Expiry is judged by the database clock.
import { sql } from "kysely";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";

export type TokenPurpose = "verify_email" | "reset_password";

export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  verify_email: 24 * 3_600_000,
  reset_password: 3_600_000,
};

export interface EmailToken {
  id: string;
  user_id: string;
  purpose: TokenPurpose;
  email: string;
  expires_at: Date;
  used_at: Date | null;
}

/** Why a token cannot be used; the holder of the link may be told which. */
export type TokenProblem = "unknown" | "used" | "expired";

const looksLikeToken = (token: string) => /^[A-Za-z0-9_-]{20,100}$/.test(token);

export async function createEmailToken(
  db: Db,
  userId: string,
  purpose: TokenPurpose,
  email: string,
): Promise<string> {
  const token = randomToken();
  // Housekeeping: the account's tokens that expired over a day ago are of no further use.
  await db
    .deleteFrom("email_tokens")
    .where("user_id", "=", userId)
    .where("expires_at", "<", sql<Date>`now() - interval '1 day'`)
    .execute();
  await db
    .insertInto("email_tokens")
    .values({
      id: sha256(token),
      user_id: userId,
      purpose,
      email,
      expires_at: sql<Date>`now() + ${TOKEN_LIFETIME_MS[purpose]}::double precision * interval '1 millisecond'`,
    })
    .execute();
  return token;
}

/** Looks a token up without using it: the token, or why it cannot be used. */
export async function checkEmailToken(
  db: Db,
  purpose: TokenPurpose,
  token: string,
): Promise<{ ok: true; token: EmailToken } | { ok: false; problem: TokenProblem }> {
  if (!looksLikeToken(token)) return { ok: false, problem: "unknown" };
  const row = await db
    .selectFrom("email_tokens")
    .select([
      "id",
      "user_id",
      "purpose",
      "email",
      "expires_at",
      "used_at",
      sql<boolean>`expires_at <= now()`.as("expired"),
    ])
    .where("id", "=", sha256(token))
    .where("purpose", "=", purpose)
    .executeTakeFirst();
  if (!row) return { ok: false, problem: "unknown" };
  if (row.used_at) return { ok: false, problem: "used" };
  if (row.expired) return { ok: false, problem: "expired" };
  const { expired: _e, ...t } = row;
  return { ok: true, token: t };
}

/**
 * Uses a token: marks it used if it is unused and unexpired, atomically. Returns the token,
 * or why it could not be used.
 */
export async function consumeEmailToken(
  db: Db,
  purpose: TokenPurpose,
  token: string,
): Promise<{ ok: true; token: EmailToken } | { ok: false; problem: TokenProblem }> {
  if (!looksLikeToken(token)) return { ok: false, problem: "unknown" };
  const used = await db
    .updateTable("email_tokens")
    .set({ used_at: sql`now()` })
    .where("id", "=", sha256(token))
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning(["id", "user_id", "purpose", "email", "expires_at", "used_at"])
    .executeTakeFirst();
  if (used) return { ok: true, token: used };
  const why = await checkEmailToken(db, purpose, token);
  return { ok: false, problem: why.ok ? "used" : why.problem };
}

/**
 * Uses a token (consumeEmailToken) and reads its account, which must still have the address
 * the link was mailed to: "stale" when the account is gone or its address changed since.
 */
export async function consumeEmailTokenForAccount(
  db: Db,
  purpose: TokenPurpose,
  token: string,
): Promise<
  | { ok: true; token: EmailToken; account: Account & { email: string } }
  | { ok: false; problem: TokenProblem | "stale" }
> {
  const used = await consumeEmailToken(db, purpose, token);
  if (!used.ok) return used;
  const account = await db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", used.token.user_id)
    .executeTakeFirst();
  if (!account?.email || account.email.toLowerCase() !== used.token.email.toLowerCase()) {
    return { ok: false, problem: "stale" };
  }
  return { ok: true, token: used.token, account: { ...account, email: account.email } };
}

/** Marks every unused token of this purpose for the account as used (after a success). */
export async function retireEmailTokens(db: Db, userId: string, purpose: TokenPurpose): Promise<void> {
  await db
    .updateTable("email_tokens")
    .set({ used_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .execute();
}
