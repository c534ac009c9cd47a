// Web pages for a forgotten password: the request form (one answer whether or not an
// account has the address), and the form that sets a new password from a mailed link.
import { Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../accounts/web-sessions.ts";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { checkEmailToken } from "./email-tokens.ts";
import { consumeMailLimit } from "./mail-limits.ts";
import { forgotPasswordSchema, requestPasswordReset, resetPassword } from "./reset-service.ts";

export const resetPages = new Hono<AppEnv>();

function ForgotForm(props: {
  csrf: string;
  email?: string;
  error?: string;
  fields?: Record<string, string>;
}) {
  return (
    <form method="post" action="/forgot-password" class="card" novalidate>
      <h1>Forgot your password?</h1>
      <p class="hint">
        Enter the email address of your account and we will mail you a link to choose a new password.
      </p>
      <Alert message={props.error} />
      <CsrfField token={props.csrf} />
      <label for="email">Email</label>
      <input id="email" name="email" type="email" value={props.email ?? ""} autocomplete="email" required />
      <FieldErrors errors={props.fields} field="email" />
      <p>
        <button type="submit">Send reset link</button>
      </p>
      <p class="hint">
        Remembered it? <a href="/login">Log in</a>
      </p>
    </form>
  );
}

resetPages.get("/forgot-password", (c) =>
  c.html(
    <Layout {...meta(c, "Forgot password")}>
      <ForgotForm csrf={c.get("csrfToken")} />
    </Layout>,
  ),
);

resetPages.post("/forgot-password", async (c) => {
  const forge = c.get("forge");
  const ip = c.get("viewer").ip;
  const values = await formFields(c);
  const parsed = forgotPasswordSchema.safeParse({ email: values.email ?? "" });
  if (!parsed.success) {
    return c.html(
      <Layout {...meta(c, "Forgot password")}>
        <ForgotForm
          csrf={c.get("csrfToken")}
          email={values.email}
          error="Enter a valid email address"
          fields={{ email: "not an email address" }}
        />
      </Layout>,
      400,
    );
  }
  await consumeMailLimit(forge, "resetPerIp", ip);
  await consumeMailLimit(forge, "resetPerAddress", parsed.data.email.toLowerCase());
  // Only a job is queued here: the answer is the same whether or not the address is known.
  await requestPasswordReset(forge.db, parsed.data.email, ip);
  return c.html(
    <Layout {...meta(c, "Check your email")}>
      <div class="empty" id="reset-requested">
        <h1>Check your email</h1>
        <p>
          If an account uses that address, we have mailed it a link to choose a new password. The link expires
          in 1 hour.
        </p>
        <p>
          <a href="/login">Back to log in</a>
        </p>
      </div>
    </Layout>,
  );
});

const LINK_PROBLEMS = {
  unknown: "This password reset link is not valid. Check that you copied all of it.",
  used: "This password reset link has already been used.",
  expired: "This password reset link has expired.",
  stale: "This password reset link was sent to an address that is no longer on the account.",
} as const;

function BadLink(props: { problem: keyof typeof LINK_PROBLEMS }) {
  return (
    <div class="empty" id="reset-link-problem">
      <h1>Link not usable</h1>
      <p>{LINK_PROBLEMS[props.problem]}</p>
      <p>
        <a href="/forgot-password">Ask for a new link</a>
      </p>
    </div>
  );
}

function ResetForm(props: { csrf: string; token: string; error?: string; fields?: Record<string, string> }) {
  return (
    <form method="post" action="/reset-password" class="card" novalidate>
      <h1>Choose a new password</h1>
      <Alert message={props.error} />
      <CsrfField token={props.csrf} />
      <input type="hidden" name="token" value={props.token} />
      <label for="password">New password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="new-password"
        required
        minlength={8}
      />
      <p class="hint">At least 8 characters.</p>
      <FieldErrors errors={props.fields} field="password" />
      <label for="confirm">Repeat the new password</label>
      <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength={8} />
      <FieldErrors errors={props.fields} field="confirm" />
      <p class="hint">Every browser signed in to your account will be signed out.</p>
      <p>
        <button type="submit">Set new password</button>
      </p>
    </form>
  );
}

resetPages.get("/reset-password", async (c) => {
  const token = c.req.query("token") ?? "";
  const check = await checkEmailToken(c.get("forge").db, "reset_password", token);
  if (!check.ok) {
    return c.html(
      <Layout {...meta(c, "Reset password")} url={undefined}>
        <BadLink problem={check.problem} />
      </Layout>,
      check.problem === "unknown" ? 400 : 410,
    );
  }
  // The page carries the token: keep it out of caches (Referer is never sent: no-referrer).
  c.header("Cache-Control", "no-store");
  return c.html(
    <Layout {...meta(c, "Reset password")} url={undefined}>
      <ResetForm csrf={c.get("csrfToken")} token={token} />
    </Layout>,
  );
});

resetPages.post("/reset-password", async (c) => {
  const forge = c.get("forge");
  const values = await formFields(c);
  const token = values.token ?? "";
  const again = (error: string, fields: Record<string, string>, status: 400 | 403 | 409) =>
    c.html(
      <Layout {...meta(c, "Reset password")} url={undefined}>
        <ResetForm csrf={c.get("csrfToken")} token={token} error={error} fields={fields} />
      </Layout>,
      status,
    );
  if ((values.password ?? "") !== (values.confirm ?? "")) {
    return again("The two passwords differ", { confirm: "does not match the new password" }, 400);
  }
  let outcome: Awaited<ReturnType<typeof resetPassword>>;
  try {
    outcome = await resetPassword(forge.db, { token, password: values.password ?? "" }, c.get("viewer").ip);
  } catch (err) {
    const f = formFailure(err);
    return again(f.message, f.fields, f.status === 400 ? 400 : 403);
  }
  if (!outcome.ok) {
    return c.html(
      <Layout {...meta(c, "Reset password")} url={undefined}>
        <BadLink problem={outcome.problem} />
      </Layout>,
      outcome.problem === "unknown" ? 400 : 410,
    );
  }
  // Every web session of the account is gone, this browser's included if it was one.
  const signedOut = c.get("viewer").user?.id === outcome.account.id;
  if (signedOut) deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.html(
    <Layout {...meta(c, "Password changed")} user={signedOut ? null : c.get("viewer").user}>
      <div class="empty" id="reset-done">
        <h1>Password changed</h1>
        <p>
          The password of @{outcome.account.handle} is changed and every browser that was signed in to it has
          been signed out.
        </p>
        <p>
          <a href="/login" class="button">
            Log in
          </a>
        </p>
      </div>
    </Layout>,
  );
});
