// WebAuthn challenges kept on the server: made when the browser asks for options, stored
// with what they are for (registering, signing in, the second step) and whose they are,
// tied to the browser by a random value in an HttpOnly cookie, valid a few minutes and
// deleted the first time they are checked, whether the check succeeds or not.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import { secureCookies } from "../http/client-ip.ts";
import type { AppEnv } from "../http/context.ts";

export const PASSKEY_COOKIE = "mc_passkey";
export const CHALLENGE_SECONDS = 5 * 60;

export type ChallengePurpose = "register" | "sign_in" | "second_step";

export interface StoredChallenge {
  challenge: string;
  userId: string | null;
  name: string;
  userHandle: string;
}

/** Stores a new challenge for this browser (replacing any earlier one); returns it. */
export async function issueChallenge(
  c: Context<AppEnv>,
  purpose: ChallengePurpose,
  opts: { userId?: string; name?: string; userHandle?: string } = {},
): Promise<string> {
  const db = c.get("forge").db;
  const challenge = randomToken(32);
  const previous = getCookie(c, PASSKEY_COOKIE);
  const cookie = randomToken();
  await db.deleteFrom("passkey_challenges").where("expires_at", "<", new Date()).execute();
  if (previous && previous.length <= 100)
    await db.deleteFrom("passkey_challenges").where("id", "=", sha256(previous)).execute();
  await db
    .insertInto("passkey_challenges")
    .values({
      id: sha256(cookie),
      purpose,
      user_id: opts.userId ?? null,
      challenge,
      name: opts.name ?? "",
      user_handle: opts.userHandle ?? "",
      expires_at: new Date(Date.now() + CHALLENGE_SECONDS * 1000),
    })
    .execute();
  setCookie(c, PASSKEY_COOKIE, cookie, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secureCookies(c),
    path: "/",
    maxAge: CHALLENGE_SECONDS,
  });
  return challenge;
}

/** Takes this browser's challenge for `purpose` (it is deleted either way); null if none is valid. */
export async function takeChallenge(
  c: Context<AppEnv>,
  purpose: ChallengePurpose,
): Promise<StoredChallenge | null> {
  const cookie = getCookie(c, PASSKEY_COOKIE);
  deleteCookie(c, PASSKEY_COOKIE, { path: "/" });
  if (!cookie || cookie.length > 100) return null;
  const row = await c
    .get("forge")
    .db.deleteFrom("passkey_challenges")
    .where("id", "=", sha256(cookie))
    .returningAll()
    .executeTakeFirst();
  if (!row || row.purpose !== purpose || row.expires_at.getTime() < Date.now()) return null;
  return { challenge: row.challenge, userId: row.user_id, name: row.name, userHandle: row.user_handle };
}
