// The second step of signing in for accounts with two-factor on: after a correct password
// (accounts/auth-pages.tsx) the browser holds only a pending login, and a session starts
// once a code from the authenticator app or an unused recovery code is given. Wrong codes
// are limited per pending login and per account (10 in 15 minutes, then 429).
import type { Context } from "hono";
import { Hono } from "hono";
import { startSession } from "../accounts/auth-pages.tsx";
import { recentEvents, recordSecurityEvent } from "../devices/security-events.ts";
import { recordSignIn, type SignInMethod } from "../devices/sign-in-events.ts";
import type { AppEnv } from "../http/context.ts";
import { PasskeyStep } from "../passkeys/passkey-forms.tsx";
import { countPasskeys } from "../passkeys/passkey-store.ts";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFields, meta } from "../web/page.ts";
import { countFailure, endChallenge, findChallenge } from "./login-challenge.ts";
import { logUnreadable } from "./totp-secrets.ts";
import { checkSecondFactor, UnreadableTotpSecret } from "./two-factor-service.ts";

export const loginStepPages = new Hono<AppEnv>();

export const FAILURE_WINDOW_SECONDS = 15 * 60;
export const FAILURES_PER_WINDOW = 10;

function StepForm(props: { message?: string; csrf: string }) {
  return (
    <form method="post" action="/login/two-factor" class="card">
      <h1>Two-factor authentication</h1>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <label for="code">Code from your authenticator app</label>
      <input
        id="code"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        required
        maxlength={20}
        size={12}
        autofocus
      />
      <p class="hint">Lost your device? Enter one of your recovery codes instead.</p>
      <p>
        <button type="submit">Verify</button>
      </p>
      <p class="hint">
        <a href="/login">Start again</a>
      </p>
    </form>
  );
}

const stepPage = async (c: Context<AppEnv>, message?: string, status: 200 | 401 | 429 = 200) => {
  // Accounts with passkeys may use one instead of a code (passkeys/passkey-login-pages.tsx).
  const pending = await findChallenge(c);
  const passkeys = pending ? await countPasskeys(c.get("forge").db, pending.user.id) : 0;
  return c.html(
    <Layout {...meta(c, "Two-factor authentication")}>
      <StepForm message={message} csrf={c.get("csrfToken")} />
      {passkeys > 0 ? <PasskeyStep csrf={c.get("csrfToken")} /> : null}
    </Layout>,
    status,
  );
};

loginStepPages.get("/login/two-factor", async (c) => {
  if (!(await findChallenge(c))) return c.redirect("/login", 303);
  return stepPage(c);
});

loginStepPages.post("/login/two-factor", async (c) => {
  const challenge = await findChallenge(c);
  if (!challenge) return c.redirect("/login", 303);
  const { db, secrets } = c.get("forge");
  const { user } = challenge;
  const ip = c.get("viewer").ip;

  const failures = await recentEvents(db, user.id, "auth.two_factor_failed", FAILURE_WINDOW_SECONDS);
  if (failures.length >= FAILURES_PER_WINDOW) {
    const oldest = failures[FAILURES_PER_WINDOW - 1].getTime();
    const wait = Math.max(1, Math.ceil((oldest + FAILURE_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
    c.header("Retry-After", String(wait));
    return stepPage(
      c,
      `Too many wrong codes for this account. Try again in ${Math.ceil(wait / 60)} minutes.`,
      429,
    );
  }

  const { code = "" } = await formFields(c);
  let method: Awaited<ReturnType<typeof checkSecondFactor>> = null;
  try {
    method = code.length <= 20 ? await checkSecondFactor(db, secrets, user, code, { user, ip }) : null;
  } catch (err) {
    if (!(err instanceof UnreadableTotpSecret)) throw err;
    // Not counted as a wrong code: no code can pass, and recovery codes must stay usable.
    logUnreadable(c.get("log"), user.handle, err.reason);
    return stepPage(c, err.message, 401);
  }
  if (!method) {
    await recordSecurityEvent(db, { user: null, ip }, user, "auth.two_factor_failed");
    if (await countFailure(c, challenge)) return stepPage(c, "That code is not correct.", 401);
    return c.html(
      <Layout {...meta(c, "Log in")}>
        <div class="card">
          <h1>Too many wrong codes</h1>
          <Alert message="Log in again with your password to get another try." />
          <p>
            <a href="/login">Log in</a>
          </p>
        </div>
      </Layout>,
      401,
    );
  }
  await endChallenge(c, challenge.id);
  const authMethod =
    `${challenge.firstFactor}+${method === "totp" ? "totp" : "recovery-code"}` as SignInMethod;
  await startSession(c, user.id, authMethod);
  await recordSignIn(db, user, ip, authMethod);
  return c.redirect(challenge.next, 303);
});
