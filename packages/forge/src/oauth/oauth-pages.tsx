// Sign-in through a provider: /auth/{provider} sends the browser to the provider with a state,
// a PKCE challenge (and an OIDC nonce); /auth/{provider}/callback checks the state, exchanges
// the code and finds the identity by the provider's user id. A linked identity signs its user
// in (through the two-factor step if it is on); a signed-in viewer links it; anyone else is
// asked for a handle at /auth/signup, where registration rules apply as for any sign-up.
import type { Context } from "hono";
import { Hono } from "hono";
import { safeNext, startSession } from "../accounts/auth-pages.tsx";
import { inviteUsable, registrationMode } from "../admin/registration.ts";
import type { Account } from "../db/schema.ts";
import { recordSignIn } from "../devices/sign-in-events.ts";
import type { AppEnv } from "../http/context.ts";
import { publicOrigin } from "../meta/urls.ts";
import { beginSecondStep } from "../two-factor/login-challenge.ts";
import { hasTwoFactor } from "../two-factor/two-factor-service.ts";
import { Alert, Layout } from "../web/layout.tsx";
import { formFailure, meta } from "../web/page.ts";
import { findIdentity, touchIdentity } from "./identities.ts";
import { beginFlow, savePendingSignup, takeFlow } from "./oauth-flow.ts";
import { ProviderError } from "./oauth-http.ts";
import { linkIdentity } from "./oauth-service.ts";
import { providerSignupPages } from "./provider-signup-pages.tsx";
import { findProvider, type OAuthProvider } from "./providers.ts";

export const oauthPages = new Hono<AppEnv>();
oauthPages.route("/", providerSignupPages);
// (an alternation here would not be anchored by the router; the provider is checked below)
const PROVIDER = ":provider{[a-z]+}";
const LINKED = "/settings/linked-accounts";

type Ctx = Context<AppEnv>;

function problemPage(c: Ctx, title: string, text: string, status: 400 | 403 | 409 | 502) {
  return c.html(
    <Layout {...meta(c, title)}>
      <div class="card" id="oauth-problem">
        <h1>{title}</h1>
        <Alert message={text} />
        <p>
          <a href="/login">Back to log in</a>
        </p>
      </div>
    </Layout>,
    status,
  );
}

const redirectUri = (c: Ctx, p: OAuthProvider) => `${publicOrigin(c)}/auth/${p.id}/callback`;

oauthPages.get(`/auth/${PROVIDER}`, async (c, fallThrough) => {
  const provider = findProvider(c.get("forge").config, c.req.param("provider"));
  if (!provider) return fallThrough(); // not a configured provider (or /auth/signup, below)
  const signedIn = c.get("viewer").user !== null;
  const next = safeNext(c.req.query("next") ?? (signedIn ? LINKED : "/"));
  const invite = c.req.query("invite")?.slice(0, 200) || undefined;
  try {
    const { state, nonce, challenge } = await beginFlow(c, provider.id, next, invite);
    const url = await provider.authorizeUrl({
      state,
      nonce,
      challenge,
      redirectUri: redirectUri(c, provider),
    });
    return c.redirect(url, 302);
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    c.get("log").warn({ provider: provider.id, problem: err.message }, "identity provider unavailable");
    return problemPage(
      c,
      `${provider.name} is unavailable`,
      `Could not reach ${provider.name}. Try again later.`,
      502,
    );
  }
});

/** Signs a found user in: refused if suspended; through the second step if two-factor is on. */
async function signIn(c: Ctx, user: Account, provider: OAuthProvider, next: string) {
  if (user.suspended_at) {
    return problemPage(
      c,
      "Account suspended",
      "This account is suspended. Contact the administrators of this instance.",
      403,
    );
  }
  const db = c.get("forge").db;
  if (await hasTwoFactor(db, user.id)) return beginSecondStep(c, user, next, provider.id);
  await startSession(c, user.id, provider.id);
  await recordSignIn(db, user, c.get("viewer").ip, provider.id);
  return c.redirect(next, 303);
}

oauthPages.get(`/auth/${PROVIDER}/callback`, async (c, fallThrough) => {
  const forge = c.get("forge");
  const provider = findProvider(forge.config, c.req.param("provider"));
  if (!provider) return fallThrough();
  const flow = await takeFlow(c, provider.id, c.req.query("state") ?? "");
  if (!flow) {
    return problemPage(
      c,
      "Sign-in expired",
      `This sign-in with ${provider.name} was not started from this browser, or took too long. Start again.`,
      400,
    );
  }
  const code = c.req.query("code");
  if (!code || code.length > 2000) {
    const denied = c.req.query("error") === "access_denied";
    return problemPage(
      c,
      "Sign-in not completed",
      denied
        ? `${provider.name} did not grant access.`
        : `${provider.name} did not complete the sign-in. Try again.`,
      400,
    );
  }
  let profile: Awaited<ReturnType<OAuthProvider["complete"]>>;
  try {
    profile = await provider.complete({
      code,
      verifier: flow.codeVerifier,
      nonce: flow.nonce,
      redirectUri: redirectUri(c, provider),
    });
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    c.get("log").warn({ provider: provider.id, problem: err.message }, "sign-in through a provider failed");
    return problemPage(c, "Sign-in failed", `Could not sign in with ${provider.name}: ${err.message}.`, 502);
  }

  const viewer = c.get("viewer");
  const identity = await findIdentity(forge.db, provider.id, profile.providerUserId);
  if (identity && identity.issuer !== provider.issuer) {
    // The identity came from another instance of this provider (the configuration changed):
    // the same id there is not the same person.
    return problemPage(
      c,
      "Sign-in refused",
      `That ${provider.name} account was linked from another ${provider.name} server.`,
      409,
    );
  }
  if (viewer.user) {
    if (identity && identity.user_id !== viewer.user.id) {
      return problemPage(
        c,
        "Already linked",
        `That ${provider.name} account is linked to another Micelio account. Unlink it there first.`,
        409,
      );
    }
    try {
      await linkIdentity(
        forge.db,
        { user: viewer.user, ip: viewer.ip },
        {
          provider: provider.id,
          issuer: provider.issuer,
          providerUserId: profile.providerUserId,
          login: profile.login,
          email: profile.email,
        },
      );
    } catch (err) {
      const f = formFailure(err);
      return problemPage(c, "Not linked", f.message, 409);
    }
    return c.redirect(`${flow.next}${flow.next.includes("?") ? "&" : "?"}linked=${provider.id}`, 303);
  }
  if (identity) {
    const user = await forge.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", identity.user_id)
      .executeTakeFirstOrThrow();
    await touchIdentity(forge.db, identity.id);
    return signIn(c, user, provider, flow.next);
  }
  // Nobody has this identity: a sign-up, if registration allows one.
  const mode = await registrationMode(forge.db, forge.config);
  if (
    mode === "closed" ||
    (mode === "invite-only" && !(flow.invite && (await inviteUsable(forge.db, flow.invite))))
  ) {
    return problemPage(
      c,
      mode === "closed" ? "Sign-up is closed" : "Sign-up is by invitation",
      `No account is linked to that ${provider.name} account, and this instance ${
        mode === "closed" ? "does not accept new accounts" : "needs an invitation link for new accounts"
      }. If you have an account, log in and link ${provider.name} in your settings.`,
      403,
    );
  }
  await savePendingSignup(c, provider, profile, flow);
  return c.redirect("/auth/signup", 303);
});
