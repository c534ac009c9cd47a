// Security events of an account (sign-ins, failed sign-ins, two-factor changes, recovery
// codes used, sessions revoked, password changes). They are audit-log entries whose target
// is the account, so administrators see them in the audit log and the user in their
// security log (/settings/security-log).
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";

export const SECURITY_ACTIONS = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Failed sign-in (wrong password)",
  "auth.two_factor_failed": "Failed sign-in (wrong two-factor code)",
  "two_factor.enable": "Two-factor authentication enabled",
  "two_factor.disable": "Two-factor authentication disabled",
  "two_factor.recovery_used": "Recovery code used",
  "two_factor.recovery_regenerated": "New recovery codes generated",
  "session.revoke": "Session signed out",
  "session.revoke_others": "All other sessions signed out",
  "account.password_change": "Password changed",
  "account.password_reset_request": "Password reset link requested",
  "account.password_reset": "Password reset with an emailed link",
  "account.email_change": "Email address changed",
  "account.email_verify": "Email address verified",
  "token.create": "Access token created",
  "token.revoke": "Access token revoked",
  "auth.passkey_failed": "Failed sign-in (passkey refused)",
  "passkey.add": "Passkey added",
  "passkey.rename": "Passkey renamed",
  "passkey.remove": "Passkey removed",
  "identity.link": "Account at another service linked",
  "identity.unlink": "Account at another service unlinked",
} as const;
export type SecurityAction = keyof typeof SECURITY_ACTIONS;

type Writer = Parameters<typeof recordAudit>[0];

/** Records an event about `user`'s account (actor may be null, e.g. a failed sign-in). */
export async function recordSecurityEvent(
  trx: Writer,
  actor: Actor,
  user: { id: string; handle: string },
  action: SecurityAction,
  data: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(trx, actor, {
    action,
    targetType: "account",
    targetId: user.id,
    target: user.handle,
    data,
  });
}

export interface SecurityEvent {
  id: number;
  action: string;
  description: string;
  ip: string;
  data: Record<string, unknown>;
  created_at: string;
}

/** The newest security events of a user: about their account, or tokens they made. */
export async function listSecurityEvents(
  db: Db,
  userId: string,
  opts: { before?: number; limit?: number } = {},
): Promise<SecurityEvent[]> {
  const actions = Object.keys(SECURITY_ACTIONS);
  let q = db
    .selectFrom("audit_log")
    .select(["id", "action", "ip", "data", "created_at"])
    .where((eb) =>
      eb.or([
        eb.and([eb("target_type", "=", "account"), eb("target_id", "=", userId)]),
        eb.and([eb("actor_id", "=", userId), eb("target_type", "=", "token")]),
      ]),
    )
    .where("action", "in", actions)
    .orderBy("id", "desc")
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 200));
  if (opts.before) q = q.where("id", "<", opts.before);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    description: SECURITY_ACTIONS[r.action as SecurityAction] ?? r.action,
    ip: r.ip,
    data: r.data,
    created_at: r.created_at.toISOString(),
  }));
}

/** How many times `action` happened to the account in the last `seconds`, and when the oldest did. */
export async function recentEvents(db: Db, userId: string, action: SecurityAction, seconds: number) {
  const rows = await db
    .selectFrom("audit_log")
    .select("created_at")
    .where("target_type", "=", "account")
    .where("target_id", "=", userId)
    .where("action", "=", action)
    .where("created_at", ">", new Date(Date.now() - seconds * 1000))
    .orderBy("id", "desc")
    .limit(100)
    .execute();
  return rows.map((r) => r.created_at);
}
