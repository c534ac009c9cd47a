// A user's signed-in web sessions (devices): list them with the device in plain words,
// sign one out, or sign out all but the current one. Sessions are addressed by a public id
// derived from the stored id, so neither the cookie nor its hash ever leaves the server.
import { sha256 } from "../accounts/secrets.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { notFound } from "../errors/app-error.ts";
import { recordSecurityEvent } from "./security-events.ts";
import { describeDevice } from "./user-agent.ts";

export const publicSessionId = (storedId: string) => sha256(`web-session:${storedId}`).slice(0, 24);

export interface WebSessionInfo {
  id: string;
  device: string;
  user_agent: string;
  ip: string;
  signed_in_with: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  current: boolean;
}

async function activeRows(db: Db, userId: string) {
  return db
    .selectFrom("web_sessions")
    .select(["id", "user_agent", "ip", "last_ip", "auth_method", "created_at", "last_used_at", "expires_at"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", new Date())
    .orderBy("last_used_at", "desc")
    .execute();
}

/** Active sessions, most recently used first; `currentId` (stored id) marks the caller's own. */
export async function listWebSessions(
  db: Db,
  userId: string,
  currentId?: string | null,
): Promise<WebSessionInfo[]> {
  const rows = await activeRows(db, userId);
  return rows.map((r) => ({
    id: publicSessionId(r.id),
    device: describeDevice(r.user_agent),
    user_agent: r.user_agent,
    ip: r.last_ip || r.ip,
    signed_in_with: r.auth_method,
    created_at: r.created_at.toISOString(),
    last_used_at: r.last_used_at.toISOString(),
    expires_at: r.expires_at.toISOString(),
    current: r.id === currentId,
  }));
}

/** Signs one session out; returns whether it was the caller's own. */
export async function revokeWebSession(
  db: Db,
  user: Pick<Account, "id" | "handle">,
  publicId: string,
  currentId: string | null,
  actor: Actor,
): Promise<{ wasCurrent: boolean }> {
  const row = (await activeRows(db, user.id)).find((r) => publicSessionId(r.id) === publicId);
  if (!row) throw notFound("No such session");
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("web_sessions").where("id", "=", row.id).where("user_id", "=", user.id).execute();
    await recordSecurityEvent(trx, actor, user, "session.revoke", {
      session: publicId,
      device: describeDevice(row.user_agent),
      session_ip: row.last_ip || row.ip,
    });
  });
  return { wasCurrent: row.id === currentId };
}

type Writer = Parameters<typeof recordSecurityEvent>[0];

/** Deletes every session of the user except `keepId`; returns how many went. */
export async function deleteOtherSessions(
  trx: Writer,
  userId: string,
  keepId: string | null,
): Promise<number> {
  let q = trx.deleteFrom("web_sessions").where("user_id", "=", userId);
  if (keepId) q = q.where("id", "!=", keepId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** "Sign out all other sessions". */
export async function revokeOtherWebSessions(
  db: Db,
  user: Pick<Account, "id" | "handle">,
  currentId: string | null,
  actor: Actor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const n = await deleteOtherSessions(trx, user.id, currentId);
    await recordSecurityEvent(trx, actor, user, "session.revoke_others", { sessions: n });
    return n;
  });
}
