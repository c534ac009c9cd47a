// Accounts: sign-up, password sign-in, lookup by handle. The first account of an instance
// becomes its administrator.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { conflict, notFound } from "../errors/app-error.ts";
import { profileFields } from "../profiles/profile-json.ts";
import { handleHeld, handleTaken, isPendingSignup } from "./handle-reservations.ts";
import { accountHandle } from "./handles.ts";
import { passwordSchema, verifyPassword } from "./passwords.ts";
import { isAdmin, type Viewer } from "./viewer.ts";

export const signupSchema = z.object({
  handle: accountHandle,
  email: z.string().max(254, "Email must be at most 254 characters").email("Enter a valid email address"),
  password: passwordSchema,
  /** The invite token, when registration is by invitation only. */
  invite: z.string().max(200).optional(),
});
export type SignupInput = z.infer<typeof signupSchema>;

export async function findAccountByHandle(db: Db, handle: string): Promise<Account | undefined> {
  return db
    .selectFrom("accounts")
    .selectAll()
    .where(sql`lower(handle)`, "=", handle.toLowerCase())
    .executeTakeFirst();
}

export async function getAccountByHandle(db: Db, handle: string): Promise<Account> {
  const account = await findAccountByHandle(db, handle);
  if (!account) throw notFound(`No user or organization named ${handle}`);
  return account;
}

/**
 * An account as others may see it: a suspended one, and one signed up verification-first and
 * not verified yet (accounts/handle-reservations.ts), is hidden (404, like an unknown handle)
 * from everyone but administrators, with its profile, picture, avatar, lists and search hits.
 */
export async function getVisibleAccount(db: Db, viewer: Viewer, handle: string): Promise<Account> {
  const account = await getAccountByHandle(db, handle);
  if ((account.suspended_at || isPendingSignup(account)) && !isAdmin(viewer)) {
    throw notFound(`No user or organization named ${handle}`);
  }
  return account;
}

/** Whether a handle names an account or is reserved by a sign-up (see handle-reservations.ts). */
export async function isHandleTaken(db: Db, handle: string): Promise<boolean> {
  return handleHeld(db, handle);
}

/** Serializes sign-ups (inside their transaction), so exactly one first account becomes administrator. */
export async function lockSignups(trx: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(7245002)`.execute(trx);
}

/** Whether no user account exists yet: the one being created, the first, becomes administrator (under lockSignups). */
export async function noUserYet(trx: Db): Promise<boolean> {
  const any = await trx.selectFrom("accounts").select("id").where("kind", "=", "user").limit(1).execute();
  return any.length === 0;
}

/** Refuses a handle or email address (case-insensitive) that another account already has, or a reserved handle. */
export async function requireFreeHandleAndEmail(
  trx: Db,
  handle: string,
  email: string | null,
  emailTaken: string,
): Promise<void> {
  const existing = await trx
    .selectFrom("accounts")
    .select(["handle", "email"])
    .where((eb) =>
      eb.or([
        eb(sql`lower(handle)`, "=", handle.toLowerCase()),
        ...(email ? [eb(sql`lower(email)`, "=", email.toLowerCase())] : []),
      ]),
    )
    .execute();
  if (
    existing.some((a) => a.handle.toLowerCase() === handle.toLowerCase()) ||
    (await handleHeld(trx, handle))
  ) {
    throw handleTaken();
  }
  if (existing.length > 0) throw conflict(emailTaken, [{ field: "email", message: "already used" }]);
}

export interface NewUser {
  id: string;
  handle: string;
  email: string | null;
  /** What a taken email address is told (sign-up forms word it differently). */
  emailTaken: string;
  passwordHash: string | null;
  displayName?: string;
  emailVerified?: boolean;
  /** No password sign-in until the address is verified (verification-first sign-up). */
  signupPending?: boolean;
  /** More fields for the account.create audit entry. */
  audit?: Record<string, unknown>;
}

/** Inserts a user whose handle and email were checked free (under lockSignups), audited. */
export async function insertUser(trx: Db, ip: string, user: NewUser): Promise<Account> {
  const account = await trx
    .insertInto("accounts")
    .values({
      id: user.id,
      kind: "user",
      handle: user.handle,
      display_name: user.displayName ?? "",
      email: user.email,
      email_verified_at: user.emailVerified ? new Date() : null,
      signup_pending: user.signupPending ?? false,
      password_hash: user.passwordHash,
      is_admin: await noUserYet(trx),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(
    trx,
    { user: account, ip },
    {
      action: "account.create",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
      data: { administrator: account.is_admin, ...user.audit },
    },
  );
  return account;
}

export type InSignup = (trx: Db, accountId: string) => Promise<void>;

/**
 * Creates a user in one transaction, for every way of signing up: sign-ups serialized,
 * `gate` first (registration mode, invites), handle and email free, the very first user an
 * administrator, audited; `created` runs in the same transaction (verification mail, a linked
 * identity). A race on a unique column ends as a 409 like a taken handle.
 */
export async function createUser(
  db: Db,
  ip: string,
  user: NewUser,
  steps: { gate?: InSignup; created?: (trx: Db, account: Account) => Promise<void> } = {},
): Promise<Account> {
  try {
    return await db.transaction().execute(async (trx) => {
      await lockSignups(trx);
      await steps.gate?.(trx, user.id);
      await requireFreeHandleAndEmail(trx, user.handle, user.email, user.emailTaken);
      const account = await insertUser(trx, ip, user);
      await steps.created?.(trx, account);
      return account;
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw conflict("That handle or email is already taken");
    throw err;
  }
}

/** Checks a handle-or-email and password; the same answer for unknown accounts and bad passwords. */
export async function authenticatePassword(db: Db, login: string, password: string): Promise<Account | null> {
  const needle = login.trim().toLowerCase();
  const account = needle
    ? await db
        .selectFrom("accounts")
        .selectAll()
        .where("kind", "=", "user")
        .where((eb) => eb.or([eb(sql`lower(handle)`, "=", needle), eb(sql`lower(email)`, "=", needle)]))
        .executeTakeFirst()
    : undefined;
  const ok = await verifyPassword(account?.password_hash ?? null, password);
  // Signed up verification-first and not verified yet: answered as a wrong password, so that
  // neither sign-up nor sign-in tells whether an address was already registered.
  if (account?.signup_pending && !account.email_verified_at) return null;
  return ok && account ? account : null;
}

export function userJson(a: Account, opts: { private?: boolean } = {}) {
  return {
    id: a.id,
    handle: a.handle,
    kind: a.kind === "org" ? ("organization" as const) : ("user" as const),
    name: a.display_name || a.handle,
    bio: a.bio,
    ...profileFields(a),
    created_at: a.created_at.toISOString(),
    ...(opts.private
      ? { email: a.email, email_verified: a.email_verified_at != null, is_admin: a.is_admin }
      : {}),
  };
}

export const actorOf = (user: Account | null, ip: string): Actor => ({ user, ip });
