// How TOTP secrets are kept in user_totp.secret: sealed with the forge's secret box
// (crypto/secret-box.ts), so a copy of the database alone does not give anyone's codes away.
// Rows written before encryption existed hold the base32 secret itself. They keep working and
// are sealed in place by one pass at start-up (sealLegacyTotpSecrets, from crypto/
// instance-secrets.ts), so dormant accounts do not keep a readable secret until their owner
// next signs in; a row still found in plain text later (written by an older process during a
// rolling upgrade) is sealed when it is next used successfully (two-factor-service.ts).
// Each update compares the stored value it replaces, so concurrent processes cannot clash.
import { SEALED_PREFIX, type SecretBox, SecretBoxError } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";
import type { Logger } from "../ops/logger.ts";

const BASE32 = /^[A-Z2-7]+=*$/;

export const sealTotpSecret = (box: SecretBox, secret: string) => box.seal(secret);

/** The base32 secret of a stored value; throws SecretBoxError when this forge's key cannot read it. */
export function openTotpSecret(box: SecretBox, stored: string): { secret: string; legacy: boolean } {
  const { value, legacy } = box.reveal(stored);
  if (!BASE32.test(value)) throw new SecretBoxError("malformed", "a stored TOTP secret is not base32");
  return { secret: value, legacy };
}

/** Friendly words for a person whose codes cannot be checked (details go to the log). */
export const UNREADABLE_MESSAGE =
  "Codes from your authenticator app cannot be checked right now: this forge's secret key has " +
  "changed. Use one of your recovery codes, or ask an administrator.";

/** What the operator needs to know when a stored secret cannot be decrypted. */
export function logUnreadable(log: Logger, handle: string, err: SecretBoxError) {
  log.error(
    { user: handle, problem: err.problem, reason: err.message },
    "a two-factor secret cannot be decrypted: the forge's secret key (MICELIO_SECRET_KEY or " +
      "secret.key in the data directory) is not the one it was sealed with",
  );
}

/**
 * Seals every TOTP secret still stored in plain text; counts those sealed with another key.
 * Done once at start-up: the table has one row per user with two-factor on (or enrolling).
 */
export async function sealLegacyTotpSecrets(
  db: Db,
  box: SecretBox,
): Promise<{ sealed: number; otherKey: number }> {
  const legacy = await db
    .selectFrom("user_totp")
    .select(["user_id", "secret"])
    .where("secret", "not like", `${SEALED_PREFIX}%`)
    .execute();
  let sealed = 0;
  for (const row of legacy) {
    if (!BASE32.test(row.secret)) continue; // not a secret anyone could use; left for the log
    const done = await db
      .updateTable("user_totp")
      .set({ secret: sealTotpSecret(box, row.secret) })
      .where("user_id", "=", row.user_id)
      .where("secret", "=", row.secret)
      .executeTakeFirst();
    sealed += Number(done.numUpdatedRows);
  }
  let others = db
    .selectFrom("user_totp")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("secret", "like", `${SEALED_PREFIX}%`);
  // Keys still accepted during a rotation (crypto/rotate-key.ts) are not "another key".
  for (const id of box.keyIds) others = others.where("secret", "not like", `${SEALED_PREFIX}v1:${id}:%`);
  const other = await others.executeTakeFirstOrThrow();
  return { sealed, otherKey: Number(other.n) };
}
