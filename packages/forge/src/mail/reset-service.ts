// Password reset by email. A request only queues a job, so the answer (and its timing) is
// the same whether or not an account has that address; the job looks the address up and,
// when it belongs to an account, issues a one-hour single-use token and queues the mail.
// Setting the new password uses the token, revokes every web session of the account and
// tells the address that the password changed.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { hashPassword, passwordSchema } from "../accounts/passwords.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { requireValid } from "../errors/validate.ts";
import { enqueue, type JobHandler } from "../jobs/index.ts";
import {
  consumeEmailTokenForAccount,
  createEmailToken,
  retireEmailTokens,
  type TokenProblem,
} from "./email-tokens.ts";
import { enqueueMail } from "./mail-jobs.ts";
import { emailAddress } from "./verify-service.ts";

export const RESET_REQUEST_JOB = "mail.reset-request";

export const forgotPasswordSchema = z.object({ email: emailAddress });
export const resetPasswordSchema = z.object({ token: z.string().max(200), password: passwordSchema });

/** Queues a reset for the address; says nothing about whether an account has it. */
export async function requestPasswordReset(db: Db, email: string, ip: string): Promise<void> {
  const data = requireValid(forgotPasswordSchema, { email });
  await enqueue(db, RESET_REQUEST_JOB, { email: data.email, ip }, { maxAttempts: 3 });
}

/** The job behind a reset request: mails a reset link if the address belongs to an account. */
export function resetRequestHandler(db: Db): JobHandler {
  return async (payload: { email: string; ip?: string }) => {
    await db.transaction().execute(async (trx) => {
      const account = await trx
        .selectFrom("accounts")
        .selectAll()
        .where("kind", "=", "user")
        .where(sql`lower(email)`, "=", String(payload.email).toLowerCase())
        .executeTakeFirst();
      if (!account?.email) return;
      const token = await createEmailToken(trx, account.id, "reset_password", account.email);
      await enqueueMail(trx, account.email, "password_reset", { handle: account.handle, token });
      await recordSecurityEvent(
        trx,
        { user: null, ip: payload.ip ?? "" },
        account,
        "account.password_reset_request",
      );
    });
  };
}

export type ResetOutcome =
  | { ok: true; account: Account; sessionsRevoked: number }
  | { ok: false; problem: TokenProblem | "stale" };

/** Sets a new password with a reset token; the token is used up and web sessions revoked. */
export async function resetPassword(
  db: Db,
  input: { token: string; password: string },
  ip: string,
): Promise<ResetOutcome> {
  const data = requireValid(resetPasswordSchema, input);
  const passwordHash = await hashPassword(data.password);
  return db.transaction().execute(async (trx): Promise<ResetOutcome> => {
    const used = await consumeEmailTokenForAccount(trx, "reset_password", data.token);
    if (!used.ok) return used;
    const { account } = used;
    const updated = await trx
      .updateTable("accounts")
      .set({
        password_hash: passwordHash,
        // The link reached this address, so the address is proven.
        email_verified_at: sql`coalesce(email_verified_at, now())`,
        signup_pending: false,
        updated_at: sql`now()`,
      })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const revoked = await trx.deleteFrom("web_sessions").where("user_id", "=", account.id).executeTakeFirst();
    const sessionsRevoked = Number(revoked.numDeletedRows);
    await retireEmailTokens(trx, account.id, "reset_password");
    // A sign-in waiting for its second step was started with the old password: it ends too.
    await trx.deleteFrom("login_challenges").where("user_id", "=", account.id).execute();
    await recordSecurityEvent(trx, { user: account, ip }, account, "account.password_reset", {
      sessions_revoked: sessionsRevoked,
    });
    await enqueueMail(trx, account.email, "password_changed", { handle: account.handle });
    return { ok: true, account: updated, sessionsRevoked };
  });
}
