// Sign-in through a provider: /auth/{provider} sends the browser to the provider with a state,
// a PKCE challenge (and an OIDC nonce); /auth/{provider}/callback checks the state, exchanges
// the code and finds the identity by the provider's user id. A linked identity signs its user
// in (through the two-factor step if it is on); a signed-in viewer links it; anyone else is
// asked for a handle at /auth/signup, where registration rules apply as for any sign-up.
import type { Context } from "hono";
import { Hono } from "hono";
import { safeNext, startSession } from "../accounts/auth-pages.tsx";
import { inviteUsable, registrationGate, registrationMode } from "../admin/registration.ts";
import type { Account } from "../db/schema.ts";
import { recordSignIn } from "../devices/sign-in-events.ts";
import type { AppEnv } from "../http/context.ts";
import { publicOrigin } from "../meta/urls.ts";
import { beginSecondStep } from "../two-factor/login-challenge.ts";
import { hasTwoFactor } from "../two-factor/two-factor-service.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { findIdentity, touchIdentity } from "./identities.ts";
import { beginFlow, endPendingSignup, findPendingSignup, savePendingSignup, takeFlow } from "./oauth-flow.ts";
import { ProviderError } from "./oauth-http.ts";
import { emailFree, linkIdentity, signupWithProvider, suggestHandle } from "./oauth-service.ts";
import { findProvider, type OAuthProvider, type ProviderId } from "./providers.ts";

export const oauthPages = new Hono<AppEnv>();
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

function SignupForm(props: {
  provider: string;
  login: string;
  values: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
  emailNote?: string;
  csrf: string;
}) {
  const v = props.values;
  return (
    <form method="post" action="/auth/signup" class="card" novalidate>
      <h1>Create your account</h1>
      <p class="hint">
        Signing up with {props.provider}
        {props.login ? ` as ${props.login}` : ""}. Choose your handle on this forge.
      </p>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <label for="handle">Handle</label>
      <input
        id="handle"
        name="handle"
        value={v.handle ?? ""}
        autocomplete="username"
        required
        maxlength={39}
      />
      <p class="hint">Letters, digits and hyphens. It appears in your URLs.</p>
      <FieldErrors errors={props.errors} field="handle" />
      <label for="email">Email (optional)</label>
      <input id="email" name="email" type="email" value={v.email ?? ""} autocomplete="email" />
      {props.emailNote ? <p class="hint">{props.emailNote}</p> : null}
      <FieldErrors errors={props.errors} field="email" />
      <p class="hint">
        By signing up you agree to the <a href="/legal">terms</a>: you are solely responsible for the content
        you host.
      </p>
      <p>
        <button type="submit">Sign up</button>
      </p>
    </form>
  );
}

const providerLabel = (c: Ctx, id: string) => findProvider(c.get("forge").config, id)?.name ?? id;

oauthPages.get("/auth/signup", async (c) => {
  const pending = await findPendingSignup(c);
  if (!pending) return c.redirect("/login", 303);
  const db = c.get("forge").db;
  const free = pending.email ? await emailFree(db, pending.email) : false;
  return c.html(
    <Layout {...meta(c, "Sign up")}>
      <SignupForm
        provider={providerLabel(c, pending.provider)}
        login={pending.login}
        values={{
          handle: await suggestHandle(db, pending.login, pending.name),
          email: free ? (pending.email ?? "") : "",
        }}
        emailNote={
          pending.email && !free
            ? "The address your provider gave belongs to another account here. Accounts are never merged by address: to use that account, log in to it and link this provider in its settings."
            : undefined
        }
        csrf={c.get("csrfToken")}
      />
    </Layout>,
  );
});

oauthPages.post("/auth/signup", async (c) => {
  const pending = await findPendingSignup(c);
  if (!pending) return c.redirect("/login", 303);
  const forge = c.get("forge");
  const values = await formFields(c);
  const provider = findProvider(forge.config, pending.provider);
  if (!provider) return c.redirect("/login", 303);
  try {
    const account = await signupWithProvider(
      forge.db,
      pending,
      { handle: values.handle ?? "", email: values.email ?? "" },
      c.get("viewer").ip,
      registrationGate(forge.config, pending.invite ?? undefined),
    );
    await endPendingSignup(c, pending.id);
    await startSession(c, account.id, provider.id as ProviderId);
    await recordSignIn(forge.db, account, c.get("viewer").ip, provider.id);
    return c.redirect(pending.next, 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <Layout {...meta(c, "Sign up")}>
        <SignupForm
          provider={provider.name}
          login={pending.login}
          values={values}
          errors={f.fields}
          message={f.message}
          csrf={c.get("csrfToken")}
        />
      </Layout>,
      f.status,
    );
  }
});
