// Handles held without a visible account, so that a verification-first sign-up does not tell
// through its handle whether the address was registered. A new address gets a pending account
// (signup_pending), hidden from everyone but administrators; a registered one gets no account
// and its handle a reservation instead. Both hold the handle until the verification link has
// expired and the hourly clean-up (ops/maintenance.ts) frees them in the same run: a
// reservation counts as taken until that clean-up deletes it, as a pending account does.
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { conflict } from "../errors/app-error.ts";
import { TOKEN_LIFETIME_MS } from "../mail/email-tokens.ts";

/** How long a sign-up holds its handle unverified: the verification link's lifetime (24 h). */
export const SIGNUP_HOLD_MS = TOKEN_LIFETIME_MS.verify_email;

/** Whether others see this account (a pending sign-up is hidden like an unknown handle). */
export const isPendingSignup = (a: Pick<Account, "signup_pending" | "email_verified_at">) =>
  a.signup_pending && !a.email_verified_at;

/** Whether a handle (case-insensitive) names an account or is reserved by a sign-up. */
export async function handleHeld(db: Db, handle: string): Promise<boolean> {
  const lower = handle.toLowerCase();
  const row = await db
    .selectFrom("accounts")
    .select("id")
    .where(sql`lower(handle)`, "=", lower)
    .unionAll(db.selectFrom("handle_reservations").select("handle as id").where("handle", "=", lower))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** What every form and route answers for a handle that is taken or reserved. */
export const handleTaken = () =>
  conflict("That handle is already taken", [{ field: "handle", message: "already taken" }]);

/** Refuses a handle that names an account or is reserved (409, as a taken handle). */
export async function requireHandleFree(db: Db, handle: string): Promise<void> {
  if (await handleHeld(db, handle)) throw handleTaken();
}

/** Reserves a handle for as long as a pending account would hold it (checked free before). */
export async function reserveHandle(trx: Db, handle: string): Promise<void> {
  await trx
    .insertInto("handle_reservations")
    .values({
      handle: handle.toLowerCase(),
      expires_at: sql<Date>`now() + ${SIGNUP_HOLD_MS}::double precision * interval '1 millisecond'`,
    })
    .onConflict((oc) => oc.column("handle").doNothing())
    .execute();
}

/**
 * Frees what unverified sign-ups hold once their verification link has expired: expired
 * reservations, and pending accounts that were never verified (they could not sign in, so
 * they own nothing; any that does is kept). Each is audited. Returns the handles freed.
 */
export async function expireSignups(db: Db): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const hold = sql<Date>`now() - ${SIGNUP_HOLD_MS}::double precision * interval '1 millisecond'`;
    const accounts = await trx
      .deleteFrom("accounts")
      .where("kind", "=", "user")
      .where("signup_pending", "=", true)
      .where("email_verified_at", "is", null)
      .where("is_admin", "=", false)
      .where("created_at", "<=", hold)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("projects")
              .select("projects.id")
              .whereRef("projects.owner_id", "=", "accounts.id")
              .unionAll(
                selectFrom("api_tokens")
                  .select("api_tokens.id")
                  .whereRef("api_tokens.user_id", "=", "accounts.id"),
              )
              .unionAll(
                selectFrom("org_members")
                  .select("org_members.org_id as id")
                  .whereRef("org_members.user_id", "=", "accounts.id"),
              ),
          ),
        ),
      )
      .returning(["id", "handle", "email", "created_at"])
      .execute();
    for (const a of accounts) {
      await recordAudit(
        trx,
        { user: null, ip: "" },
        {
          action: "account.signup_expire",
          targetType: "account",
          targetId: a.id,
          target: a.handle,
          data: { reason: "address not verified in time", email: a.email, signed_up_at: a.created_at },
        },
      );
    }
    const reservations = await trx
      .deleteFrom("handle_reservations")
      .where("expires_at", "<=", sql<Date>`now()`)
      .returning(["handle", "created_at"])
      .execute();
    for (const r of reservations) {
      await recordAudit(
        trx,
        { user: null, ip: "" },
        {
          action: "account.signup_expire",
          targetType: "handle",
          targetId: r.handle,
          target: r.handle,
          data: { reason: "handle reservation expired", reserved_at: r.created_at },
        },
      );
    }
    return [...accounts.map((a) => a.handle), ...reservations.map((r) => r.handle)];
  });
}
