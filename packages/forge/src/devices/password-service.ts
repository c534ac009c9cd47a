// Changing the password: the current one must be given, and every other signed-in session
// (and any sign-in waiting for its second step) ends, so a stolen session does not survive it.

import { z } from "zod";
import { hashPassword, passwordSchema, verifyPassword } from "../accounts/passwords.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { recordSecurityEvent } from "./security-events.ts";
import { deleteOtherSessions } from "./web-sessions-service.ts";

export const changePasswordSchema = z.object({
  current_password: z.string().max(256),
  new_password: passwordSchema,
});

export const FRESH_SIGN_IN_MINUTES = 15;

/** Returns how many other sessions were signed out. */
export async function changePassword(
  db: Db,
  user: Pick<Account, "id" | "handle" | "password_hash">,
  input: { current_password: string; new_password: string },
  currentSessionId: string | null,
  actor: Actor,
  /** Whether this session was signed in moments ago (an account without password may then set one). */
  freshSignIn = false,
): Promise<number> {
  const data = requireValid(changePasswordSchema, input);
  if (user.password_hash === null) {
    // Accounts made through a provider (oauth/) have no password to confirm: a recent sign-in
    // through the provider stands in for it.
    if (!freshSignIn) {
      throw invalid(
        `Sign out and sign in again, then set your password within ${FRESH_SIGN_IN_MINUTES} minutes`,
      );
    }
  } else if (!(await verifyPassword(user.password_hash, data.current_password))) {
    throw invalid("Your current password is not correct", [
      { field: "current_password", message: "not correct" },
    ]);
  }
  const hash = await hashPassword(data.new_password);
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable("accounts")
      .set({ password_hash: hash, updated_at: new Date() })
      .where("id", "=", user.id)
      .execute();
    const n = await deleteOtherSessions(trx, user.id, currentSessionId);
    await trx.deleteFrom("login_challenges").where("user_id", "=", user.id).execute();
    await recordSecurityEvent(trx, actor, user, "account.password_change", { other_sessions_signed_out: n });
    return n;
  });
}
