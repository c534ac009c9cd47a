// Identities and accounts from providers: linking an identity to a user (never one linked to
// someone else), unlinking (never the last way to sign in), and creating an account through a
// provider with the handle its owner chose. Accounts are matched by the provider's user id
// only; an address from a provider never merges two accounts.

import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { z } from "zod";
import { createUser, type NewUser } from "../accounts/accounts-service.ts";
import { handleHeld } from "../accounts/handle-reservations.ts";
import { accountHandle, HANDLE_RE, RESERVED_HANDLES } from "../accounts/handles.ts";
import { signInMethods } from "../accounts/sign-in-methods.ts";
import type { SignupGate } from "../admin/registration.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { conflict, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { sendVerification } from "../mail/verify-service.ts";
import { findIdentity } from "./identities.ts";
import type { PendingSignup } from "./oauth-flow.ts";

type User = Pick<Account, "id" | "handle">;
export interface LinkInput {
  provider: string;
  issuer: string;
  providerUserId: string;
  login: string;
  email: string | null;
}

async function insertIdentity(trx: Db, actor: Actor, user: User, input: LinkInput) {
  const id = ulid();
  await trx
    .insertInto("user_identities")
    .values({
      id,
      user_id: user.id,
      provider: input.provider,
      provider_user_id: input.providerUserId,
      issuer: input.issuer,
      login: input.login.slice(0, 100),
      email: input.email?.slice(0, 254) ?? null,
      last_used_at: new Date(),
    })
    .execute();
  await recordSecurityEvent(trx, actor, user, "identity.link", {
    provider: input.provider,
    login: input.login.slice(0, 100),
  });
  return id;
}

const alreadyLinked = () =>
  conflict("That account at the provider is already linked to another Micelio account");

/** Links a provider's account to the signed-in user. */
export async function linkIdentity(db: Db, actor: Actor & { user: User }, input: LinkInput) {
  try {
    return await db.transaction().execute(async (trx) => {
      const existing = await findIdentity(trx, input.provider, input.providerUserId);
      if (existing && existing.user_id !== actor.user.id) throw alreadyLinked();
      if (existing) return existing.id;
      const same = await trx
        .selectFrom("user_identities")
        .select("id")
        .where("user_id", "=", actor.user.id)
        .where("provider", "=", input.provider)
        .executeTakeFirst();
      if (same) throw conflict("Another account at this provider is already linked; unlink it first");
      return await insertIdentity(trx, actor, actor.user, input);
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw alreadyLinked();
    throw err;
  }
}

/** Unlinks one of the user's identities, unless it is their last way to sign in. */
export async function unlinkIdentity(db: Db, actor: Actor & { user: User }, identityId: string) {
  await db.transaction().execute(async (trx) => {
    // Serialize changes to this user's sign-in methods, so two unlinks cannot both pass.
    await trx.selectFrom("accounts").select("id").where("id", "=", actor.user.id).forUpdate().execute();
    const identity = await trx
      .selectFrom("user_identities")
      .selectAll()
      .where("id", "=", identityId)
      .where("user_id", "=", actor.user.id)
      .executeTakeFirst();
    if (!identity) throw notFound("No such linked account");
    const methods = await signInMethods(trx, actor.user.id);
    if (methods.total <= 1) {
      throw conflict(
        "This is your only way to sign in. Set a password, add a passkey or link another account before unlinking it.",
      );
    }
    await trx.deleteFrom("user_identities").where("id", "=", identity.id).execute();
    await recordSecurityEvent(trx, actor, actor.user, "identity.unlink", {
      provider: identity.provider,
      login: identity.login,
    });
  });
}

/** A free handle close to the provider's login, for the sign-up form. */
export async function suggestHandle(db: Db, login: string, name: string): Promise<string> {
  const base = (login || name)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 34)
    .replace(/-$/, "");
  if (!base) return "";
  for (const candidate of [base, ...Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`)]) {
    if (!HANDLE_RE.test(candidate) || RESERVED_HANDLES.has(candidate)) continue;
    if (!(await handleHeld(db, candidate))) return candidate;
  }
  return "";
}

/** Whether an address is free to store on a new account (compared case-insensitively). */
export async function emailFree(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("accounts")
    .select("id")
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
  return !row;
}

export const providerSignupSchema = z.object({
  handle: accountHandle,
  email: z
    .union([
      z.literal(""),
      z.string().max(254, "Email must be at most 254 characters").email("Enter a valid email address"),
    ])
    .default(""),
});

/**
 * Creates a user without a password, linked to the provider's account. The address is
 * verified only if it is the provider's and the provider said it verified it; otherwise a
 * verification mail goes out as for any sign-up.
 */
export async function signupWithProvider(
  db: Db,
  pending: PendingSignup,
  input: unknown,
  ip: string,
  gate: SignupGate,
): Promise<Account> {
  const data = requireValid(providerSignupSchema, input);
  const email = data.email || null;
  const verified =
    email !== null && pending.emailVerified && email.toLowerCase() === pending.email?.toLowerCase();
  const user: NewUser = {
    id: ulid(),
    handle: data.handle,
    email,
    emailTaken: "Another account uses that email address; give another one or leave it empty",
    passwordHash: null,
    displayName: pending.name.slice(0, 100),
    emailVerified: verified,
    audit: { provider: pending.provider },
  };
  return createUser(db, ip, user, {
    gate: async (trx, id) => {
      await gate(trx, id);
      if (await findIdentity(trx, pending.provider, pending.providerUserId)) throw alreadyLinked();
    },
    created: async (trx, account) => {
      await insertIdentity(trx, { user: account, ip }, account, {
        provider: pending.provider,
        issuer: pending.issuer,
        providerUserId: pending.providerUserId,
        login: pending.login,
        email: pending.email,
      });
      if (email && !verified) await sendVerification(trx, account, "signup");
    },
  });
}
