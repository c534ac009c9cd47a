// Sign-up with a password. Without mail (no SMTP_URL) the account is created and signed in at
// once, and a registered address is refused (409): the owner could not be told otherwise.
// With mail, sign-up is verification-first and says nothing about the address: a new one gets
// an account that waits for its verification link (no password sign-in until then), a
// registered one gets no account and its owner a notice; both answer the same. The first
// user (the administrator) is created and signed in at once either way. Handles are public:
// a taken one is refused first, whatever the address; the handle of a registered address is
// reserved and a pending account hidden, so the handle tells nothing either.

import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { conflict } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import type { Forge } from "../http/context.ts";
import { enqueueMail } from "../mail/mail-jobs.ts";
import { tryMailLimit } from "../mail/mail-limits.ts";
import { sendVerification } from "../mail/verify-service.ts";
import {
  createUser,
  type InSignup,
  insertUser,
  lockSignups,
  type NewUser,
  noUserYet,
  type SignupInput,
  signupSchema,
} from "./accounts-service.ts";
import { handleHeld, handleTaken, reserveHandle } from "./handle-reservations.ts";
import { hashPassword } from "./passwords.ts";

export type SignupOutcome =
  /** Created and to be signed in now (no mail, or the first user). */
  | { kind: "created"; account: Account }
  /** The same for a new and a registered address; `account` (new addresses only) is internal. */
  | { kind: "verification_sent"; email: string; account?: Account };

export interface SignupOptions {
  /** Registration mode and invites; runs first inside the transaction. */
  gate?: InSignup;
  /** The forge can send mail: verification-first sign-up. */
  verificationFirst?: boolean;
  /** Whether the owner of a registered address may be mailed now (per-address throttle). */
  mayNotifyOwner?: (email: string) => Promise<boolean>;
}

/** What the API and the web tell a verification-first sign-up, for every address. */
export const VERIFICATION_SENT_DETAIL = "Check your email to finish signing up.";

export async function signup(
  db: Db,
  input: SignupInput,
  ip: string,
  opts: SignupOptions = {},
): Promise<SignupOutcome> {
  const data = requireValid(signupSchema, input);
  const user: NewUser = {
    id: ulid(),
    handle: data.handle,
    email: data.email,
    emailTaken: "An account with that email already exists",
    passwordHash: await hashPassword(data.password),
  };
  const created = (trx: Db, account: Account) => sendVerification(trx, account, "signup");
  if (!opts.verificationFirst) {
    return { kind: "created", account: await createUser(db, ip, user, { gate: opts.gate, created }) };
  }
  try {
    return await db.transaction().execute(async (trx): Promise<SignupOutcome> => {
      await lockSignups(trx);
      // An invite is used up for a registered address too, or reusing it would tell.
      await opts.gate?.(trx, user.id);
      const taken = await trx
        .selectFrom("accounts")
        .select(["handle", "email", "kind"])
        .where((eb) =>
          eb.or([
            eb(sql`lower(handle)`, "=", data.handle.toLowerCase()),
            eb(sql`lower(email)`, "=", data.email.toLowerCase()),
          ]),
        )
        .execute();
      if (
        taken.some((a) => a.handle.toLowerCase() === data.handle.toLowerCase()) ||
        (await handleHeld(trx, data.handle))
      ) {
        throw handleTaken();
      }
      const owner = taken.find((a) => a.email);
      if (owner?.email) {
        // No account, but the handle is held as a pending account would hold it, so that it
        // does not tell which of the two this was (handle-reservations.ts).
        await reserveHandle(trx, data.handle);
        if (await (opts.mayNotifyOwner?.(owner.email) ?? true)) {
          await enqueueMail(trx, owner.email, "signup_attempt", { handle: owner.handle });
        }
        return { kind: "verification_sent", email: data.email };
      }
      if (await noUserYet(trx)) {
        const account = await insertUser(trx, ip, user);
        await created(trx, account);
        return { kind: "created", account };
      }
      const account = await insertUser(trx, ip, { ...user, signupPending: true });
      await created(trx, account);
      return { kind: "verification_sent", email: data.email, account };
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw conflict("That handle or email is already taken");
    throw err;
  }
}

/** Sign-up as the forge is configured: verification-first when it can send mail (SMTP_URL). */
export function signupOptions(forge: Forge, gate: InSignup): SignupOptions {
  return {
    gate,
    verificationFirst: Boolean(forge.config.smtpUrl),
    mayNotifyOwner: (email) => tryMailLimit(forge, "signupNoticePerAddress", email.toLowerCase()),
  };
}
