// Signing in with a passkey. Without a password: the browser offers any passkey of this
// site (discoverable credential, user verification required), and the one it returns names
// the account; with user verification a passkey is two factors in itself, so no TOTP step
// follows. As the second step of two-factor sign-in: after a correct password, one of that
// account's passkeys replaces the code. Suspended accounts are refused either way.
import type { Context } from "hono";
import { Hono } from "hono";
import { safeNext, startSession } from "../accounts/auth-pages.tsx";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { recordSecurityEvent } from "../devices/security-events.ts";
import { recordSignIn } from "../devices/sign-in-events.ts";
import type { AppEnv } from "../http/context.ts";
import { countFailure, endChallenge, findChallenge } from "../two-factor/login-challenge.ts";
import { Alert, Layout } from "../web/layout.tsx";
import { formFields, meta } from "../web/page.ts";
import { issueChallenge, takeChallenge } from "./passkey-challenges.ts";
import { PasskeySignIn } from "./passkey-forms.tsx";
import { listPasskeys } from "./passkey-store.ts";
import { type AssertionResult, authenticationOptions, checkAssertion } from "./passkeys-service.ts";
import { relyingParty } from "./relying-party.ts";

export const passkeyLoginPages = new Hono<AppEnv>();

const json = (c: Context<AppEnv>, body: unknown, status: 200 | 401 = 200) => {
  c.header("Cache-Control", "no-store");
  return c.json(body, status);
};

const accountOf = (db: Db, id: string) =>
  db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst() as Promise<
    Account | undefined
  >;

/** Puts a refused passkey in its owner's security log (an unknown credential has no owner). */
async function recordRefusal(c: Context<AppEnv>, result: AssertionResult, step: string) {
  if (result.ok || !result.passkey) return;
  const db = c.get("forge").db;
  const owner = await accountOf(db, result.passkey.user_id);
  if (owner)
    await recordSecurityEvent(db, { user: null, ip: c.get("viewer").ip }, owner, "auth.passkey_failed", {
      reason: result.reason,
      passkey: result.passkey.name,
      step,
    });
}

function refusedPage(c: Context<AppEnv>, next: string, message: string, status: 401 | 403) {
  return c.html(
    <Layout {...meta(c, "Log in")}>
      <div class="card">
        <h1>Log in</h1>
        <Alert message={message} />
        <p>
          <a href={`/login?next=${encodeURIComponent(next)}`}>Back to log in</a>
        </p>
      </div>
      <PasskeySignIn csrf={c.get("csrfToken")} next={next} />
    </Layout>,
    status,
  );
}

passkeyLoginPages.post("/login/passkey/options", async (c) => {
  const challenge = await issueChallenge(c, "sign_in");
  const options = await authenticationOptions(relyingParty(c), challenge, { userVerification: "required" });
  return json(c, { options });
});

passkeyLoginPages.post("/login/passkey", async (c) => {
  const { credential = "", next: nextField } = await formFields(c);
  const next = safeNext(nextField);
  const db = c.get("forge").db;
  const stored = await takeChallenge(c, "sign_in");
  if (!stored)
    return refusedPage(c, next, "The passkey request expired or was already used. Try again.", 401);
  const result = await checkAssertion(db, relyingParty(c), stored.challenge, credential, {
    requireUserVerification: true,
  });
  if (!result.ok) {
    await recordRefusal(c, result, "sign-in");
    return refusedPage(c, next, "That passkey was not accepted.", 401);
  }
  const user = await accountOf(db, result.passkey.user_id);
  if (user?.kind !== "user") return refusedPage(c, next, "That passkey was not accepted.", 401);
  if (user.suspended_at) {
    return refusedPage(
      c,
      next,
      "This account is suspended. Contact the administrators of this instance.",
      403,
    );
  }
  await startSession(c, user.id, "passkey");
  await recordSignIn(db, user, c.get("viewer").ip, "passkey", { passkey: result.passkey.name });
  return c.redirect(next, 303);
});

passkeyLoginPages.post("/login/two-factor/passkey/options", async (c) => {
  const pending = await findChallenge(c);
  if (!pending) return json(c, { error: "Log in with your password again." }, 401);
  const db = c.get("forge").db;
  const allow = await listPasskeys(db, pending.user.id);
  if (allow.length === 0) return json(c, { error: "This account has no passkeys." }, 401);
  const challenge = await issueChallenge(c, "second_step", { userId: pending.user.id });
  const options = await authenticationOptions(relyingParty(c), challenge, {
    allow,
    userVerification: "preferred",
  });
  return json(c, { options });
});

passkeyLoginPages.post("/login/two-factor/passkey", async (c) => {
  const pending = await findChallenge(c);
  if (!pending) return c.redirect("/login", 303);
  const { credential = "" } = await formFields(c);
  const db = c.get("forge").db;
  const { user } = pending;
  const ip = c.get("viewer").ip;
  const stored = await takeChallenge(c, "second_step");
  const result: AssertionResult =
    stored && stored.userId === user.id
      ? await checkAssertion(db, relyingParty(c), stored.challenge, credential, {
          userId: user.id,
          requireUserVerification: false,
        })
      : { ok: false, reason: "invalid" };
  if (!result.ok) {
    await recordSecurityEvent(db, { user: null, ip }, user, "auth.passkey_failed", {
      reason: result.reason,
      step: "second-step",
    });
    const more = await countFailure(c, pending);
    return c.html(
      <Layout {...meta(c, "Two-factor authentication")}>
        <div class="card">
          <h1>Two-factor authentication</h1>
          <Alert
            message={
              more
                ? "That passkey was not accepted."
                : "Too many failed attempts. Log in again with your password to get another try."
            }
          />
          <p>
            <a href={more ? "/login/two-factor" : "/login"}>{more ? "Try again" : "Log in"}</a>
          </p>
        </div>
      </Layout>,
      401,
    );
  }
  if (user.suspended_at) {
    await endChallenge(c, pending.id);
    return refusedPage(
      c,
      "/",
      "This account is suspended. Contact the administrators of this instance.",
      403,
    );
  }
  await endChallenge(c, pending.id);
  await startSession(c, user.id, "password+passkey");
  await recordSignIn(db, user, ip, "password+passkey", { passkey: result.passkey.name });
  return c.redirect(pending.next, 303);
});
