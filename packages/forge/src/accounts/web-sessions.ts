// Server-side web sessions. The browser holds a random value in an HttpOnly cookie; the
// database holds only its hash, the user, a CSRF token, and when it expires.
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { randomToken, sha256 } from "./secrets.ts";

export const SESSION_COOKIE = "mc_session";
export const SESSION_DAYS = 30;

export interface WebSession {
  id: string;
  csrfToken: string;
  user: Account;
}

export async function createWebSession(
  db: Db,
  userId: string,
  meta: { ip: string; userAgent: string; authMethod?: string },
) {
  const cookie = randomToken();
  const csrf = randomToken();
  await db
    .insertInto("web_sessions")
    .values({
      id: sha256(cookie),
      user_id: userId,
      csrf_token: csrf,
      ip: meta.ip,
      last_ip: meta.ip,
      auth_method: meta.authMethod ?? "password",
      user_agent: meta.userAgent.slice(0, 300),
      expires_at: new Date(Date.now() + SESSION_DAYS * 86_400_000),
    })
    .execute();
  return { cookie, csrfToken: csrf };
}

/** The session for a cookie; its last use (time and address) is written at most once a minute. */
export async function findWebSession(db: Db, cookie: string, ip = ""): Promise<WebSession | null> {
  const id = sha256(cookie);
  const row = await db
    .selectFrom("web_sessions")
    .innerJoin("accounts", "accounts.id", "web_sessions.user_id")
    .selectAll("accounts")
    .select([
      "web_sessions.csrf_token",
      "web_sessions.last_used_at",
      "web_sessions.expires_at as session_expires",
    ])
    .where("web_sessions.id", "=", id)
    .executeTakeFirst();
  if (!row || row.session_expires.getTime() < Date.now()) return null;
  if (Date.now() - row.last_used_at.getTime() > 60_000) {
    await db
      .updateTable("web_sessions")
      .set({ last_used_at: new Date(), ...(ip ? { last_ip: ip } : {}) })
      .where("id", "=", id)
      .execute();
  }
  const { csrf_token, last_used_at: _l, session_expires: _e, ...user } = row;
  return { id, csrfToken: csrf_token, user: user as Account };
}

export async function deleteWebSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom("web_sessions").where("id", "=", id).execute();
}
