// Security events for web sign-in: a success (with how the user proved who they are) and a
// failed password for an existing account. The account is looked up whether or not the
// password was wrong, so the extra work does not tell unknown accounts apart.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "./security-events.ts";

export type SignInMethod =
  | "password"
  | "password+totp"
  | "password+recovery-code"
  | "passkey"
  | "password+passkey"
  // The verification link that finishes a verification-first sign-up (mail/verify-pages.tsx).
  | "email-link"
  // Through a provider (oauth/): "github", "gitlab", "oidc", and with a second step "github+totp"…
  | `${"github" | "gitlab" | "oidc"}${"" | "+totp" | "+recovery-code"}`;

export async function recordSignIn(
  db: Db,
  user: Account,
  ip: string,
  method: SignInMethod,
  extra: Record<string, unknown> = {},
) {
  await recordSecurityEvent(db, { user, ip }, user, "auth.sign_in", { method, ...extra });
}

/** `data` says where it happened when not the web form (e.g. `{ via: "git" }`). */
export async function recordFailedSignIn(
  db: Db,
  login: string,
  ip: string,
  data: Record<string, unknown> = {},
) {
  const needle = login.trim().toLowerCase().slice(0, 254);
  const account = needle
    ? await db
        .selectFrom("accounts")
        .select(["id", "handle"])
        .where("kind", "=", "user")
        .where((eb) => eb.or([eb(sql`lower(handle)`, "=", needle), eb(sql`lower(email)`, "=", needle)]))
        .executeTakeFirst()
    : undefined;
  if (account) await recordSecurityEvent(db, { user: null, ip }, account, "auth.sign_in_failed", data);
}
