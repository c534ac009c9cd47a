// Email address verification and change of address. A verification link is mailed at
// sign-up, on request (resend) and when the address changes; following it marks the
// account's current address verified. Changing the address needs the current password,
// starts a new verification and tells the old address.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { verifyPassword } from "../accounts/passwords.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { conflict, invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import {
  consumeEmailTokenForAccount,
  createEmailToken,
  retireEmailTokens,
  type TokenProblem,
} from "./email-tokens.ts";
import { enqueueMail } from "./mail-jobs.ts";

export const emailAddress = z
  .string()
  .trim()
  .max(254, "Email must be at most 254 characters")
  .email("Enter a valid email address");

export const changeEmailSchema = z.object({
  email: emailAddress,
  password: z.string().max(256),
});
export type ChangeEmailInput = z.infer<typeof changeEmailSchema>;

/** Issues a verification token for the account's current address and queues the mail. */
export async function sendVerification(
  trx: Db,
  account: Pick<Account, "id" | "handle" | "email">,
  reason: "signup" | "change" | "resend",
): Promise<void> {
  if (!account.email) return;
  const token = await createEmailToken(trx, account.id, "verify_email", account.email);
  await enqueueMail(trx, account.email, "verify_email", {
    handle: account.handle,
    email: account.email,
    token,
    reason,
  });
}

export type VerifyOutcome =
  /** `signedUp`: this verified an account signed up verification-first (it may sign in now). */
  | { ok: true; account: Account; already: boolean; signedUp?: boolean }
  | { ok: false; problem: TokenProblem | "stale" };

/** Uses a verification token: the account's address is verified if it is still the one mailed. */
export async function verifyEmailToken(db: Db, token: string, ip: string): Promise<VerifyOutcome> {
  return db.transaction().execute(async (trx): Promise<VerifyOutcome> => {
    const used = await consumeEmailTokenForAccount(trx, "verify_email", token);
    if (!used.ok) return used;
    const { account } = used;
    if (account.email_verified_at) return { ok: true, account, already: true };
    const verified = await trx
      .updateTable("accounts")
      .set({ email_verified_at: sql`now()`, signup_pending: false })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await retireEmailTokens(trx, account.id, "verify_email");
    await recordSecurityEvent(trx, { user: account, ip }, account, "account.email_verify", {
      email: account.email,
    });
    return { ok: true, account: verified, already: false, signedUp: account.signup_pending };
  });
}

/** Mails a new verification link; refused when the address is already verified. */
export async function resendVerification(db: Db, user: Account): Promise<void> {
  if (!user.email) throw invalid("Your account has no email address");
  if (user.email_verified_at) throw conflict("Your email address is already verified");
  await db.transaction().execute((trx) => sendVerification(trx, user, "resend"));
}

/**
 * Changes the account's address after checking the current password: the new address is
 * unverified until its link is followed, and the old address is told of the change.
 */
export async function changeEmail(db: Db, actor: Actor & { user: Account }, input: ChangeEmailInput) {
  const data = requireValid(changeEmailSchema, input);
  const user = actor.user;
  if (!(await verifyPassword(user.password_hash, data.password))) {
    throw invalid("The current password is wrong", [{ field: "password", message: "wrong password" }]);
  }
  if (user.email && user.email.toLowerCase() === data.email.toLowerCase()) {
    throw invalid("That is already your email address", [{ field: "email", message: "unchanged" }]);
  }
  const oldEmail = user.email;
  try {
    return await db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom("accounts")
        .select("id")
        .where(sql`lower(email)`, "=", data.email.toLowerCase())
        .where("id", "!=", user.id)
        .executeTakeFirst();
      if (taken) throw emailTaken();
      const updated = await trx
        .updateTable("accounts")
        .set({ email: data.email, email_verified_at: null, updated_at: sql`now()` })
        .where("id", "=", user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      // Links mailed to the old address must not work any more.
      await retireEmailTokens(trx, user.id, "verify_email");
      await retireEmailTokens(trx, user.id, "reset_password");
      await sendVerification(trx, updated, "change");
      if (oldEmail) {
        await enqueueMail(trx, oldEmail, "email_changed", {
          handle: user.handle,
          oldEmail,
          newEmail: data.email,
        });
      }
      await recordSecurityEvent(trx, actor, user, "account.email_change", { from: oldEmail, to: data.email });
      return updated;
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw emailTaken();
    throw err;
  }
}

const emailTaken = () =>
  conflict("An account with that email already exists", [{ field: "email", message: "already used" }]);
