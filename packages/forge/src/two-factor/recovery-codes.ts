// Recovery codes: ten random single-use codes shown once when two-factor sign-in is turned
// on, stored only as hashes. A code is spent by marking it used in one conditional update,
// so two requests racing with the same code cannot both succeed.
import { randomInt } from "node:crypto";
import { ulid } from "@micelio/core/ulid";
import { sha256 } from "../accounts/secrets.ts";
import type { Db } from "../db/db.ts";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i

/** "xxxxx-xxxxx": 10 characters from a 31-letter alphabet, about 49 bits. */
export function generateRecoveryCode(): string {
  let code = "";
  for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What a user may type for a code: any case, with or without the hyphen and spaces. */
export const normalizeRecoveryCode = (input: string) => input.toLowerCase().replace(/[\s-]/g, "");

export const looksLikeRecoveryCode = (input: string) => /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(input));

const hashCode = (code: string) => sha256(`micelio-recovery:${normalizeRecoveryCode(code)}`);

/** Replaces the user's recovery codes with ten new ones and returns them (shown once). */
export async function replaceRecoveryCodes(trx: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await trx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await trx
    .insertInto("recovery_codes")
    .values(codes.map((c) => ({ id: ulid(), user_id: userId, code_hash: hashCode(c) })))
    .execute();
  return codes;
}

/** Spends a recovery code; true if it was valid and unused. */
export async function spendRecoveryCode(trx: Db, userId: string, input: string): Promise<boolean> {
  if (!looksLikeRecoveryCode(input)) return false;
  const row = await trx
    .updateTable("recovery_codes")
    .set({ used_at: new Date() })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hashCode(input))
    .where("used_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function unusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
