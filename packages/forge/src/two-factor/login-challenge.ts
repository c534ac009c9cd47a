// The pending state between a correct password and the second step of signing in. The
// browser holds a random value in an HttpOnly cookie; the database holds its hash, the user,
// where to go next and how many wrong codes were tried. It grants nothing by itself.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import type { Account } from "../db/schema.ts";
import { secureCookies } from "../http/client-ip.ts";
import type { AppEnv } from "../http/context.ts";

export const CHALLENGE_COOKIE = "mc_login";
export const CHALLENGE_MINUTES = 10;
/** Wrong codes allowed per password entry before the password must be entered again. */
export const MAX_ATTEMPTS = 5;

export interface LoginChallenge {
  id: string;
  next: string;
  attempts: number;
  user: Account;
  /** "password", or the provider signed in through (oauth/). */
  firstFactor: string;
}

/** After a correct password for an account with two-factor on: remember it and ask for the code. */
export async function beginSecondStep(
  c: Context<AppEnv>,
  user: Account,
  next: string,
  firstFactor: "password" | "github" | "gitlab" | "oidc" = "password",
) {
  const db = c.get("forge").db;
  const cookie = randomToken();
  await db.deleteFrom("login_challenges").where("expires_at", "<", new Date()).execute();
  await db
    .insertInto("login_challenges")
    .values({
      id: sha256(cookie),
      user_id: user.id,
      next,
      first_factor: firstFactor,
      ip: c.get("viewer").ip,
      user_agent: (c.req.header("user-agent") ?? "").slice(0, 300),
      expires_at: new Date(Date.now() + CHALLENGE_MINUTES * 60_000),
    })
    .execute();
  setCookie(c, CHALLENGE_COOKIE, cookie, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secureCookies(c),
    path: "/login",
    maxAge: CHALLENGE_MINUTES * 60,
  });
  return c.redirect("/login/two-factor", 303);
}

export async function findChallenge(c: Context<AppEnv>): Promise<LoginChallenge | null> {
  const cookie = getCookie(c, CHALLENGE_COOKIE);
  if (!cookie || cookie.length > 100) return null;
  const row = await c
    .get("forge")
    .db.selectFrom("login_challenges")
    .innerJoin("accounts", "accounts.id", "login_challenges.user_id")
    .selectAll("accounts")
    .select([
      "login_challenges.id as challenge_id",
      "login_challenges.next",
      "login_challenges.attempts",
      "login_challenges.first_factor",
      "login_challenges.expires_at as challenge_expires",
    ])
    .where("login_challenges.id", "=", sha256(cookie))
    .executeTakeFirst();
  if (!row || row.challenge_expires.getTime() < Date.now()) return null;
  const { challenge_id, next, attempts, first_factor, challenge_expires: _e, ...user } = row;
  return { id: challenge_id, next, attempts, user: user as Account, firstFactor: first_factor };
}

/** Counts a wrong code; returns false once the challenge is used up (and deleted). */
export async function countFailure(c: Context<AppEnv>, challenge: LoginChallenge): Promise<boolean> {
  const db = c.get("forge").db;
  const row = await db
    .updateTable("login_challenges")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", challenge.id)
    .returning("attempts")
    .executeTakeFirst();
  if (row && row.attempts < MAX_ATTEMPTS) return true;
  await endChallenge(c, challenge.id);
  return false;
}

export async function endChallenge(c: Context<AppEnv>, id: string): Promise<void> {
  await c.get("forge").db.deleteFrom("login_challenges").where("id", "=", id).execute();
  deleteCookie(c, CHALLENGE_COOKIE, { path: "/login" });
}
