// The handle form of a sign-up through a provider (/auth/signup): the provider's account is
// kept as a pending sign-up (oauth-flow.ts) until its owner chooses a handle; the address from
// the provider is offered only if no other account uses it. Registration rules apply.
import type { Context } from "hono";
import { Hono } from "hono";
import { startSession } from "../accounts/auth-pages.tsx";
import { HandleField, TermsAndSignUp } from "../accounts/handle-field.tsx";
import { registrationGate } from "../admin/registration.ts";
import { recordSignIn } from "../devices/sign-in-events.ts";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { endPendingSignup, findPendingSignup } from "./oauth-flow.ts";
import { emailFree, signupWithProvider, suggestHandle } from "./oauth-service.ts";
import { findProvider } from "./providers.ts";

export const providerSignupPages = new Hono<AppEnv>();
type Ctx = Context<AppEnv>;

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
      <HandleField value={v.handle} errors={props.errors} />
      <label for="email">Email (optional)</label>
      <input id="email" name="email" type="email" value={v.email ?? ""} autocomplete="email" />
      {props.emailNote ? <p class="hint">{props.emailNote}</p> : null}
      <FieldErrors errors={props.errors} field="email" />
      <TermsAndSignUp />
    </form>
  );
}

const providerLabel = (c: Ctx, id: string) => findProvider(c.get("forge").config, id)?.name ?? id;

providerSignupPages.get("/auth/signup", async (c) => {
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

providerSignupPages.post("/auth/signup", async (c) => {
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
    await startSession(c, account.id, provider.id);
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
