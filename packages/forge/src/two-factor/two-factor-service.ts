// Two-factor sign-in with an authenticator app: enrolment (a pending secret that a first
// code confirms), checking a second factor (a TOTP code, each time step accepted once, or an
// unused recovery code), new recovery codes, and turning it off (password and a code).
// Secrets are stored sealed with the forge's key (totp-secrets.ts); the enrolment page shows
// the plain secret to its owner until the first code confirms it.
import { verifyPassword } from "../accounts/passwords.ts";
import type { Actor } from "../audit/audit.ts";
import { type SecretBox, SecretBoxError } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { AppError, conflict, invalid } from "../errors/app-error.ts";
import { replaceRecoveryCodes, spendRecoveryCode, unusedRecoveryCodes } from "./recovery-codes.ts";
import { generateSecret, matchTotp } from "./totp.ts";
import { openTotpSecret, sealTotpSecret, UNREADABLE_MESSAGE } from "./totp-secrets.ts";

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

/** The stored secret cannot be decrypted with this forge's key; `reason` is for the log only. */
export class UnreadableTotpSecret extends AppError {
  constructor(readonly reason: SecretBoxError) {
    super("invalid", UNREADABLE_MESSAGE, { errors: [{ field: "code", message: "cannot be checked" }] });
  }
}

function readSecret(box: SecretBox, stored: string) {
  try {
    return openTotpSecret(box, stored);
  } catch (err) {
    throw err instanceof SecretBoxError ? new UnreadableTotpSecret(err) : err;
  }
}

export async function twoFactorStatus(db: Db, box: SecretBox, userId: string): Promise<TwoFactorStatus> {
  const row = await totpRow(db, userId);
  const enabled = Boolean(row?.enabled_at);
  let pendingSecret: string | null = null;
  if (row && !row.enabled_at) {
    // A pending secret this key cannot read can never be confirmed: set-up starts over.
    try {
      pendingSecret = openTotpSecret(box, row.secret).secret;
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
    }
  }
  return {
    enabled,
    enabledAt: row?.enabled_at ?? null,
    pendingSecret,
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

/** Starts (or restarts) enrolment after checking the password; returns the new (plain) secret. */
export async function startEnrolment(db: Db, box: SecretBox, user: User, password: string): Promise<string> {
  await requirePassword(user, password);
  if (await hasTwoFactor(db, user.id)) throw conflict("Two-factor authentication is already on");
  const secret = generateSecret();
  const sealed = sealTotpSecret(box, secret);
  await db
    .insertInto("user_totp")
    .values({ user_id: user.id, secret: sealed })
    .onConflict((oc) =>
      oc
        .column("user_id")
        .doUpdateSet({ secret: sealed, last_step: null, created_at: new Date() })
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
export async function confirmEnrolment(
  db: Db,
  box: SecretBox,
  user: User,
  code: string,
  actor: Actor,
): Promise<string[]> {
  const row = await totpRow(db, user.id);
  if (!row) throw conflict("Start the set-up again: no pending authenticator was found");
  if (row.enabled_at) throw conflict("Two-factor authentication is already on");
  let secret: string;
  try {
    secret = openTotpSecret(box, row.secret).secret;
  } catch (err) {
    if (err instanceof SecretBoxError)
      throw conflict("Start the set-up again: the pending key cannot be read");
    throw err;
  }
  const step = matchTotp(secret, code, Date.now());
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
 * Throws UnreadableTotpSecret for a code when the stored secret cannot be decrypted.
 */
export async function checkSecondFactor(
  db: Db,
  box: SecretBox,
  user: Pick<Account, "id" | "handle">,
  input: string,
  actor: Actor,
): Promise<"totp" | "recovery" | null> {
  const text = input.trim();
  if (/^\d{3}\s?\d{3}$/.test(text)) {
    const row = await totpRow(db, user.id);
    if (!row?.enabled_at) return null;
    const { secret, legacy } = readSecret(box, row.secret);
    const step = matchTotp(secret, text, Date.now());
    if (step === null) return null;
    const accepted = await db
      .updateTable("user_totp")
      .set({ last_step: step })
      .where("user_id", "=", user.id)
      .where("enabled_at", "is not", null)
      .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
      .returning("user_id")
      .executeTakeFirst();
    if (!accepted) return null;
    // A secret still in plain text (written by an older process) is sealed once it has worked.
    if (legacy)
      await db
        .updateTable("user_totp")
        .set({ secret: sealTotpSecret(box, secret) })
        .where("user_id", "=", user.id)
        .where("secret", "=", row.secret)
        .execute();
    return "totp";
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
export async function disableTwoFactor(
  db: Db,
  box: SecretBox,
  user: User,
  password: string,
  code: string,
  actor: Actor,
) {
  await requirePassword(user, password);
  if (!(await hasTwoFactor(db, user.id))) throw conflict("Two-factor authentication is not on");
  if (!(await checkSecondFactor(db, box, user, code, actor))) throw badCode();
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
