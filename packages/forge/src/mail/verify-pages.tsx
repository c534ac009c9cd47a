// Web pages for the account's email address: following a verification link
// (/verify-email?token=), the email settings page with the change-of-address form, and the
// "send the link again" button of the unverified-address banner.
import type { Context } from "hono";
import { Hono } from "hono";
import { startSession } from "../accounts/auth-pages.tsx";
import type { Account } from "../db/schema.ts";
import { SettingsNav } from "../devices/settings-nav.tsx";
import { recordSignIn } from "../devices/sign-in-events.ts";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { consumeMailLimit } from "./mail-limits.ts";
import { changeEmail, resendVerification, verifyEmailToken } from "./verify-service.ts";

export const verifyPages = new Hono<AppEnv>();
verifyPages.use("/settings/email", requireSignedIn);
verifyPages.use("/settings/email/*", requireSignedIn);

const TOKEN_PROBLEMS = {
  unknown: "This verification link is not valid. Check that you copied all of it.",
  used: "This verification link has already been used.",
  expired: "This verification link has expired.",
  stale: "This verification link was sent to an address that is no longer on the account.",
} as const;

verifyPages.get("/verify-email", async (c) => {
  const outcome = await verifyEmailToken(c.get("forge").db, c.req.query("token") ?? "", c.get("viewer").ip);
  const page = { ...meta(c, "Verify email"), url: undefined }; // the URL holds the token
  if (!outcome.ok) {
    return c.html(
      <Layout {...page}>
        <div class="empty">
          <h1>Email not verified</h1>
          <p>{TOKEN_PROBLEMS[outcome.problem]}</p>
          <p>
            {page.user ? (
              <a href="/settings/email">Send a new link from your email settings</a>
            ) : (
              <a href="/login?next=%2Fsettings%2Femail">Log in to send a new link</a>
            )}
          </p>
        </div>
      </Layout>,
      outcome.problem === "unknown" ? 400 : 410,
    );
  }
  // A verification-first sign-up (accounts/signup-service.ts) is finished by its link: the
  // browser is signed in, unless someone is signed in already.
  let user = page.user;
  if (outcome.signedUp && !user && !outcome.account.suspended_at) {
    await startSession(c, outcome.account.id, "email-link");
    await recordSignIn(c.get("forge").db, outcome.account, c.get("viewer").ip, "email-link");
    user = outcome.account;
  }
  // The signed-in viewer was loaded before the change: show the page as it is now.
  if (user?.id === outcome.account.id) user = outcome.account;
  return c.html(
    <Layout {...page} user={user}>
      <div class="empty">
        <h1>Email verified</h1>
        <p>
          <strong>{outcome.account.email}</strong> is the verified address of @{outcome.account.handle}.
        </p>
        <p>
          <a href="/">Continue</a>
        </p>
      </div>
    </Layout>,
  );
});

function EmailSettings(props: {
  c: Context<AppEnv>;
  user: Account;
  notice?: string;
  failure?: { message: string; fields: Record<string, string> };
  values?: Record<string, string>;
}) {
  const { user } = props;
  const csrf = props.c.get("csrfToken");
  return (
    <Layout {...meta(props.c, "Email")} user={user}>
      <SettingsNav current="/settings/email" />
      <h1>Email</h1>
      {props.notice ? (
        <div class="notice" role="status">
          {props.notice}
        </div>
      ) : null}
      <section class="card">
        <h2>Your address</h2>
        <p id="current-email">
          <strong>{user.email ?? "none"}</strong>{" "}
          {user.email ? (
            <span class="badge">{user.email_verified_at ? "verified" : "not verified"}</span>
          ) : null}
        </p>
        {user.email && !user.email_verified_at ? (
          <form method="post" action="/settings/email/resend">
            <CsrfField token={csrf} />
            <p class="hint">We mailed you a link to verify it. It expires after 24 hours.</p>
            <button type="submit" class="secondary">
              Send the link again
            </button>
          </form>
        ) : null}
      </section>
      <form method="post" action="/settings/email" class="card" novalidate>
        <h2>Change address</h2>
        <Alert message={props.failure?.message} />
        <CsrfField token={csrf} />
        <label for="email">New email address</label>
        <input
          id="email"
          name="email"
          type="email"
          value={props.values?.email ?? ""}
          autocomplete="email"
          required
        />
        <FieldErrors errors={props.failure?.fields} field="email" />
        <label for="password">Current password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <FieldErrors errors={props.failure?.fields} field="password" />
        <p class="hint">
          We send a verification link to the new address and tell the old one about the change.{" "}
          <a href="/forgot-password">Forgot your password?</a>
        </p>
        <p>
          <button type="submit">Change email</button>
        </p>
      </form>
    </Layout>
  );
}

verifyPages.get("/settings/email", (c) => {
  const user = c.get("viewer").user!;
  const notice =
    c.req.query("changed") !== undefined
      ? `Your address is now ${user.email}. Follow the link we mailed there to verify it.`
      : c.req.query("sent") !== undefined
        ? `We mailed a new link to ${user.email}.`
        : undefined;
  return c.html(<EmailSettings c={c} user={user} notice={notice} />);
});

verifyPages.post("/settings/email", async (c) => {
  const forge = c.get("forge");
  const viewer = c.get("viewer");
  const user = viewer.user!;
  const values = await formFields(c);
  try {
    await consumeMailLimit(forge, "changePerUser", user.id);
    await changeEmail(
      forge.db,
      { user, ip: viewer.ip },
      { email: values.email ?? "", password: values.password ?? "" },
    );
    return c.redirect("/settings/email?changed", 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <EmailSettings c={c} user={user} failure={f} values={{ email: values.email ?? "" }} />,
      f.status,
    );
  }
});

verifyPages.post("/settings/email/resend", async (c) => {
  const forge = c.get("forge");
  const user = c.get("viewer").user!;
  try {
    await consumeMailLimit(forge, "resendPerUser", user.id);
    await resendVerification(forge.db, user);
  } catch (err) {
    const f = formFailure(err);
    return c.html(<EmailSettings c={c} user={user} failure={f} />, f.status);
  }
  return c.redirect("/settings/email?sent", 303);
});
