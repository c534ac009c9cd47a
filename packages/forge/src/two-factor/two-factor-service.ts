// Two-factor sign-in with an authenticator app: enrolment (a pending secret that a first
// code confirms), checking a second factor (a TOTP code, each time step accepted once, or an
// unused recovery code), new recovery codes, and turning it off (password and a code).
// No instance-wide secret key exists to encrypt with, so secrets are stored as they are.
import { verifyPassword } from "../accounts/passwords.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { conflict, invalid } from "../errors/app-error.ts";
import { replaceRecoveryCodes, spendRecoveryCode, unusedRecoveryCodes } from "./recovery-codes.ts";
import { generateSecret, matchTotp } from "./totp.ts";

type User = Pick<Account, "id" | "handle" | "password_hash">;

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** The secret awaiting its confirming code, while enrolment is under way. */
  pendingSecret: string | null;
  recoveryCodesLeft: number;
}

const totpRow = (db: Db, userId: string) =>
  db.selectFrom("user_totp").selectAll().where("user_id", "=", userId).executeTakeFirst();

export async function twoFactorStatus(db: Db, userId: string): Promise<TwoFactorStatus> {
  const row = await totpRow(db, userId);
  const enabled = Boolean(row?.enabled_at);
  return {
    enabled,
    enabledAt: row?.enabled_at ?? null,
    pendingSecret: row && !row.enabled_at ? row.secret : null,
    recoveryCodesLeft: enabled ? await unusedRecoveryCodes(db, userId) : 0,
  };
}

export async function hasTwoFactor(db: Db, userId: string): Promise<boolean> {
  return Boolean((await totpRow(db, userId))?.enabled_at);
}

const badPassword = () =>
  invalid("Your password is not correct", [{ field: "password", message: "not correct" }]);
const badCode = () =>
  invalid("That code is not correct. Check the time on your device and try again.", [
    { field: "code", message: "not correct" },
  ]);

async function requirePassword(user: User, password: string) {
  if (!(await verifyPassword(user.password_hash, password))) throw badPassword();
}

/** Starts (or restarts) enrolment after checking the password; returns the new secret. */
export async function startEnrolment(db: Db, user: User, password: string): Promise<string> {
  await requirePassword(user, password);
  if (await hasTwoFactor(db, user.id)) throw conflict("Two-factor authentication is already on");
  const secret = generateSecret();
  await db
    .insertInto("user_totp")
    .values({ user_id: user.id, secret })
    .onConflict((oc) =>
      oc
        .column("user_id")
        .doUpdateSet({ secret, last_step: null, created_at: new Date() })
        .where("user_totp.enabled_at", "is", null),
    )
    .execute();
  return secret;
}

/** Drops an unconfirmed enrolment. */
export async function cancelEnrolment(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("user_totp").where("user_id", "=", userId).where("enabled_at", "is", null).execute();
}

/** Turns two-factor on with the first code from the app; returns the recovery codes (shown once). */
export async function confirmEnrolment(db: Db, user: User, code: string, actor: Actor): Promise<string[]> {
  const row = await totpRow(db, user.id);
  if (!row) throw conflict("Start the set-up again: no pending authenticator was found");
  if (row.enabled_at) throw conflict("Two-factor authentication is already on");
  const step = matchTotp(row.secret, code, Date.now());
  if (step === null) throw badCode();
  return db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable("user_totp")
      .set({ enabled_at: new Date(), last_step: step })
      .where("user_id", "=", user.id)
      .where("secret", "=", row.secret)
      .where("enabled_at", "is", null)
      .returning("user_id")
      .executeTakeFirst();
    if (!done) throw conflict("Start the set-up again: the pending authenticator changed");
    const codes = await replaceRecoveryCodes(trx, user.id);
    await recordSecurityEvent(trx, actor, user, "two_factor.enable");
    return codes;
  });
}

/**
 * Checks a second factor: a 6-digit code from the app (a time step is accepted at most once,
 * and never one older than the last accepted) or an unused recovery code, which is spent.
 */
export async function checkSecondFactor(
  db: Db,
  user: Pick<Account, "id" | "handle">,
  input: string,
  actor: Actor,
): Promise<"totp" | "recovery" | null> {
  const text = input.trim();
  if (/^\d{3}\s?\d{3}$/.test(text)) {
    const row = await totpRow(db, user.id);
    if (!row?.enabled_at) return null;
    const step = matchTotp(row.secret, text, Date.now());
    if (step === null) return null;
    const accepted = await db
      .updateTable("user_totp")
      .set({ last_step: step })
      .where("user_id", "=", user.id)
      .where("enabled_at", "is not", null)
      .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
      .returning("user_id")
      .executeTakeFirst();
    return accepted ? "totp" : null;
  }
  if (!(await hasTwoFactor(db, user.id))) return null;
  return db.transaction().execute(async (trx) => {
    if (!(await spendRecoveryCode(trx, user.id, text))) return null;
    const left = await unusedRecoveryCodes(trx, user.id);
    await recordSecurityEvent(trx, actor, user, "two_factor.recovery_used", { recovery_codes_left: left });
    return "recovery" as const;
  });
}

/** Turns two-factor off; needs the password and a current code (or a recovery code). */
export async function disableTwoFactor(db: Db, user: User, password: string, code: string, actor: Actor) {
  await requirePassword(user, password);
  if (!(await hasTwoFactor(db, user.id))) throw conflict("Two-factor authentication is not on");
  if (!(await checkSecondFactor(db, user, code, actor))) throw badCode();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("user_totp").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("recovery_codes").where("user_id", "=", user.id).execute();
    await recordSecurityEvent(trx, actor, user, "two_factor.disable");
  });
}

/** Replaces the recovery codes (the old ones stop working); needs the password. */
export async function regenerateRecoveryCodes(db: Db, user: User, password: string, actor: Actor) {
  await requirePassword(user, password);
  if (!(await hasTwoFactor(db, user.id))) throw conflict("Two-factor authentication is not on");
  return db.transaction().execute(async (trx) => {
    const codes = await replaceRecoveryCodes(trx, user.id);
    await recordSecurityEvent(trx, actor, user, "two_factor.recovery_regenerated");
    return codes;
  });
}
