// The short-lived state of a sign-in through a provider, kept server-side. The browser holds
// a random value in an HttpOnly cookie (path /auth) and the database only its hash, with the
// state sent to the provider, the PKCE verifier and the OIDC nonce. A callback is accepted
// once, from the browser that started it, with the state it was given, within 10 minutes.
// A sign-up waiting for its handle is kept the same way, for 30 minutes. The PKCE verifier and
// an invitation's token are sealed with the forge's key (crypto/secret-box.ts): the invite
// outlives the row, and the verifier is the one secret half of PKCE. A row this key cannot
// read (the key changed within those minutes) counts as no flow: the user starts again.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { randomToken, safeEqual, sha256 } from "../accounts/secrets.ts";
import { type SecretBox, SecretBoxError } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";
import { secureCookies } from "../http/client-ip.ts";
import type { AppEnv } from "../http/context.ts";
import { pkcePair } from "./oauth-http.ts";
import type { ProviderProfile } from "./providers.ts";

export const FLOW_COOKIE = "mc_oauth";
export const SIGNUP_COOKIE = "mc_oauth_signup";
const FLOW_MINUTES = 10;
const SIGNUP_MINUTES = 30;

function setAuthCookie(c: Context<AppEnv>, name: string, value: string, minutes: number) {
  setCookie(c, name, value, {
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level GET, which carries it.
    sameSite: "Lax",
    secure: secureCookies(c),
    path: "/auth",
    maxAge: minutes * 60,
  });
}

/** A sealed column's value; null if this forge's key cannot read it. */
function revealed(box: SecretBox, stored: string): string | null {
  try {
    return box.reveal(stored).value;
  } catch (err) {
    if (err instanceof SecretBoxError) return null;
    throw err;
  }
}

async function sweep(db: Db) {
  const now = new Date();
  await db.deleteFrom("oauth_flows").where("expires_at", "<", now).execute();
  await db.deleteFrom("oauth_signups").where("expires_at", "<", now).execute();
}

/** Starts a flow: stores its secrets, sets the cookie, returns what goes to the provider. */
export async function beginFlow(c: Context<AppEnv>, provider: string, next: string, invite?: string) {
  const { db, secrets } = c.get("forge");
  await sweep(db);
  const cookie = randomToken();
  const state = randomToken();
  const nonce = randomToken();
  const { verifier, challenge } = pkcePair();
  await db
    .insertInto("oauth_flows")
    .values({
      id: sha256(cookie),
      provider,
      state,
      code_verifier: secrets.seal(verifier),
      nonce,
      next,
      invite: invite ? secrets.seal(invite) : null,
      expires_at: new Date(Date.now() + FLOW_MINUTES * 60_000),
    })
    .execute();
  setAuthCookie(c, FLOW_COOKIE, cookie, FLOW_MINUTES);
  return { state, nonce, challenge };
}

export interface Flow {
  provider: string;
  codeVerifier: string;
  nonce: string;
  next: string;
  invite: string | null;
}

/**
 * Takes the flow of this browser for a callback (used once, whatever the outcome): null when
 * there is none, it expired, it was for another provider, or the state does not match.
 */
export async function takeFlow(c: Context<AppEnv>, provider: string, state: string): Promise<Flow | null> {
  const cookie = getCookie(c, FLOW_COOKIE);
  deleteCookie(c, FLOW_COOKIE, { path: "/auth" });
  if (!cookie || cookie.length > 100) return null;
  const row = await c
    .get("forge")
    .db.deleteFrom("oauth_flows")
    .where("id", "=", sha256(cookie))
    .returningAll()
    .executeTakeFirst();
  if (!row || row.expires_at.getTime() < Date.now() || row.provider !== provider) return null;
  if (!state || state.length > 200 || !safeEqual(state, row.state)) return null;
  const { secrets } = c.get("forge");
  const codeVerifier = revealed(secrets, row.code_verifier);
  const invite = row.invite === null ? null : revealed(secrets, row.invite);
  if (codeVerifier === null || (row.invite !== null && invite === null)) return null;
  return { provider: row.provider, codeVerifier, nonce: row.nonce, next: row.next, invite };
}

export interface PendingSignup {
  id: string;
  provider: string;
  providerUserId: string;
  issuer: string;
  login: string;
  name: string;
  email: string | null;
  emailVerified: boolean;
  next: string;
  invite: string | null;
}

export async function savePendingSignup(
  c: Context<AppEnv>,
  provider: { id: string; issuer: string },
  profile: ProviderProfile,
  flow: Flow,
) {
  const cookie = randomToken();
  const { db, secrets } = c.get("forge");
  await db
    .insertInto("oauth_signups")
    .values({
      id: sha256(cookie),
      provider: provider.id,
      provider_user_id: profile.providerUserId,
      issuer: provider.issuer,
      login: profile.login.slice(0, 100),
      name: profile.name.slice(0, 200),
      email: profile.email?.slice(0, 254) ?? null,
      email_verified: profile.emailVerified,
      next: flow.next,
      invite: flow.invite === null ? null : secrets.seal(flow.invite),
      expires_at: new Date(Date.now() + SIGNUP_MINUTES * 60_000),
    })
    .execute();
  setAuthCookie(c, SIGNUP_COOKIE, cookie, SIGNUP_MINUTES);
}

export async function findPendingSignup(c: Context<AppEnv>): Promise<PendingSignup | null> {
  const cookie = getCookie(c, SIGNUP_COOKIE);
  if (!cookie || cookie.length > 100) return null;
  const row = await c
    .get("forge")
    .db.selectFrom("oauth_signups")
    .selectAll()
    .where("id", "=", sha256(cookie))
    .executeTakeFirst();
  if (!row || row.expires_at.getTime() < Date.now()) return null;
  const invite = row.invite === null ? null : revealed(c.get("forge").secrets, row.invite);
  if (row.invite !== null && invite === null) return null;
  return {
    id: row.id,
    provider: row.provider,
    providerUserId: row.provider_user_id,
    issuer: row.issuer,
    login: row.login,
    name: row.name,
    email: row.email,
    emailVerified: row.email_verified,
    next: row.next,
    invite,
  };
}

export async function endPendingSignup(c: Context<AppEnv>, id: string) {
  await c.get("forge").db.deleteFrom("oauth_signups").where("id", "=", id).execute();
  deleteCookie(c, SIGNUP_COOKIE, { path: "/auth" });
}
