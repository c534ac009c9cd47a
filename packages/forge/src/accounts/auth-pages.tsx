// Web pages for signing up, logging in and out. Accounts with two-factor on continue to the
// second step (two-factor/login-step-pages.tsx) after a correct password.
import { hasControlCharacters } from "@micelio/core";
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { noteSignup, noticing } from "../abuse/abuse-service.ts";
import { inviteUsable, registrationGate, registrationMode } from "../admin/registration.ts";
import type { Config } from "../config/config.ts";
import { recordFailedSignIn, recordSignIn } from "../devices/sign-in-events.ts";
import { secureCookies } from "../http/client-ip.ts";
import type { AppEnv } from "../http/context.ts";
import { loginSucceeded, loginThrottledMessage, reserveLoginAttempt } from "../limits/login-throttle.ts";
import { ProviderButtons } from "../oauth/oauth-buttons.tsx";
import { PasskeySignIn } from "../passkeys/passkey-forms.tsx";
import { beginSecondStep } from "../two-factor/login-challenge.ts";
import { hasTwoFactor } from "../two-factor/two-factor-service.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { authenticatePassword } from "./accounts-service.ts";
import { HandleField, TermsAndSignUp } from "./handle-field.tsx";
import { signup, signupOptions, VERIFICATION_SENT_DETAIL } from "./signup-service.ts";
import { createWebSession, deleteWebSession, SESSION_COOKIE, SESSION_DAYS } from "./web-sessions.ts";

export const authPages = new Hono<AppEnv>();

/** Only same-site paths are followed after sign-in. */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith("/") || /[\s\\]/.test(next) || hasControlCharacters(next)) return "/";
  const base = "http://micelio.invalid";
  const url = new URL(next, base);
  return url.origin === base ? url.pathname + url.search + url.hash : "/";
}

/** Signs the browser in: a new server-side session and its cookie. */
export async function startSession(c: Context<AppEnv>, userId: string, authMethod = "password") {
  const { cookie } = await createWebSession(c.get("forge").db, userId, {
    ip: c.get("viewer").ip,
    userAgent: c.req.header("user-agent") ?? "",
    authMethod,
  });
  setCookie(c, SESSION_COOKIE, cookie, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secureCookies(c),
    path: "/",
    maxAge: SESSION_DAYS * 86_400,
  });
}

function SignupForm(props: {
  values: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
  csrf: string;
  /** Why sign-up is not possible here, if it is not. */
  refused?: "closed" | "invite-only" | "bad-invite";
  config?: Config;
}) {
  if (props.refused) {
    const [title, text] =
      props.refused === "closed"
        ? [
            "Sign-up is closed",
            "This instance does not accept new accounts. Ask its administrator for an invitation.",
          ]
        : props.refused === "invite-only"
          ? [
              "Sign-up is by invitation",
              "New accounts need an invitation link from an administrator of this instance.",
            ]
          : [
              "This invitation cannot be used",
              "The invitation is invalid, already used or expired. Ask an administrator for a new one.",
            ];
    return (
      <div class="empty">
        <h1>{title}</h1>
        <p>{text}</p>
      </div>
    );
  }
  const v = props.values;
  return (
    <form method="post" action="/signup" class="card" novalidate>
      <h1>Create your account</h1>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      {v.invite ? <input type="hidden" name="invite" value={v.invite} /> : null}
      <HandleField value={v.handle} errors={props.errors} />
      <label for="email">Email</label>
      <input id="email" name="email" type="email" value={v.email ?? ""} autocomplete="email" required />
      <FieldErrors errors={props.errors} field="email" />
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="new-password"
        required
        minlength={8}
      />
      <p class="hint">At least 8 characters.</p>
      <FieldErrors errors={props.errors} field="password" />
      <TermsAndSignUp />
      <p class="hint">
        Already have an account? <a href="/login">Log in</a>
      </p>
      {props.config ? <ProviderButtons config={props.config} invite={v.invite} /> : null}
    </form>
  );
}

/** Whether the sign-up form may be shown: the current mode, and the invite for invite-only. */
async function signupRefusal(c: Context<AppEnv>, invite: string | undefined) {
  const forge = c.get("forge");
  const mode = await registrationMode(forge.db, forge.config);
  if (mode === "closed") return "closed" as const;
  if (mode === "open") return undefined;
  if (!invite) return "invite-only" as const;
  return (await inviteUsable(forge.db, invite)) ? undefined : ("bad-invite" as const);
}

authPages.get("/signup", async (c) => {
  const invite = c.req.query("invite")?.slice(0, 200);
  const refused = await signupRefusal(c, invite);
  return c.html(
    <Layout {...meta(c, "Sign up")}>
      <SignupForm
        values={invite ? { invite } : {}}
        csrf={c.get("csrfToken")}
        refused={refused}
        config={c.get("forge").config}
      />
    </Layout>,
    refused ? 403 : 200,
  );
});

authPages.post("/signup", async (c) => {
  const forge = c.get("forge");
  const values = await formFields(c);
  const refused = await signupRefusal(c, values.invite);
  if (refused) {
    return c.html(
      <Layout {...meta(c, "Sign up")}>
        <SignupForm values={{}} csrf={c.get("csrfToken")} refused={refused} />
      </Layout>,
      403,
    );
  }
  try {
    const ip = c.get("viewer").ip;
    const done = await signup(
      forge.db,
      { handle: values.handle ?? "", email: values.email ?? "", password: values.password ?? "" },
      ip,
      signupOptions(forge, registrationGate(forge.config, values.invite)),
    );
    if (done.account)
      await noticing(c.get("log"), noteSignup(forge.db, forge.config.abuse, done.account, ip));
    if (done.kind === "verification_sent") {
      // The same page for a new and a registered address (accounts/signup-service.ts).
      return c.html(
        <Layout {...meta(c, "Check your email")}>
          <div class="empty">
            <h1>Check your email</h1>
            <p>
              {VERIFICATION_SENT_DETAIL} We sent a message to <strong>{done.email}</strong>.
            </p>
            <p class="hint">
              Nothing arrived? Check your spam folder, or <a href="/login">log in</a> if you already have an
              account.
            </p>
          </div>
        </Layout>,
      );
    }
    await startSession(c, done.account.id);
    return c.redirect("/", 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <Layout {...meta(c, "Sign up")}>
        <SignupForm values={values} errors={f.fields} message={f.message} csrf={c.get("csrfToken")} />
      </Layout>,
      f.status,
    );
  }
});

function LoginForm(props: { login?: string; next: string; message?: string; csrf: string; config: Config }) {
  return (
    <>
      <PasswordLoginForm {...props} />
      <PasskeySignIn csrf={props.csrf} next={props.next} />
    </>
  );
}

function PasswordLoginForm(props: {
  login?: string;
  next: string;
  message?: string;
  csrf: string;
  config: Config;
}) {
  return (
    <form method="post" action="/login" class="card">
      <h1>Log in</h1>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <input type="hidden" name="next" value={props.next} />
      <label for="login">Handle or email</label>
      <input id="login" name="login" value={props.login ?? ""} autocomplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <p class="hint">
        <a href="/forgot-password">Forgot password?</a>
      </p>
      <p>
        <button type="submit">Log in</button>
      </p>
      <p class="hint">
        New here? <a href="/signup">Create an account</a>
      </p>
      <ProviderButtons config={props.config} next={props.next} />
    </form>
  );
}

authPages.get("/login", (c) =>
  c.html(
    <Layout {...meta(c, "Log in")}>
      <LoginForm
        next={safeNext(c.req.query("next"))}
        csrf={c.get("csrfToken")}
        config={c.get("forge").config}
      />
    </Layout>,
  ),
);

const loginSchema = z.object({ login: z.string().max(254), password: z.string().max(256) });

authPages.post("/login", async (c) => {
  const values = await formFields(c);
  const next = safeNext(values.next);
  const parsed = loginSchema.safeParse(values);
  const forge = c.get("forge");
  const db = forge.db;
  const ip = c.get("viewer").ip;
  // Past the allowance of failures (per login name, known or not, and per address: limits/),
  // no password is checked at all; the answer is the same for every name.
  // The form again, with the name typed and why it did not sign in.
  const refuse = (message: string, status: 401 | 403 | 429) =>
    c.html(
      <Layout {...meta(c, "Log in")}>
        <LoginForm
          login={values.login}
          next={next}
          message={message}
          csrf={c.get("csrfToken")}
          config={forge.config}
        />
      </Layout>,
      status,
    );
  const wait = parsed.success ? await reserveLoginAttempt(forge, parsed.data.login, ip) : 0;
  if (wait > 0) {
    c.header("Retry-After", String(wait));
    return refuse(loginThrottledMessage(wait), 429);
  }
  const user = parsed.success
    ? await authenticatePassword(db, parsed.data.login, parsed.data.password)
    : null;
  if (!user) {
    if (parsed.success) {
      // Recorded after answering, so the answer takes as long for an unknown account.
      recordFailedSignIn(db, parsed.data.login, ip).catch((err) =>
        c.get("log").error({ err }, "could not record a failed sign-in"),
      );
    }
    return refuse("Wrong handle, email or password.", 401);
  }
  await loginSucceeded(forge, parsed.data!.login, ip);
  // Only after a correct password, so suspension is not revealed to someone guessing.
  if (user.suspended_at) {
    return refuse("This account is suspended. Contact the administrators of this instance.", 403);
  }
  // With two-factor on, a correct password only leads to the second step (two-factor/).
  if (await hasTwoFactor(db, user.id)) return beginSecondStep(c, user, next);
  await startSession(c, user.id);
  await recordSignIn(db, user, c.get("viewer").ip, "password");
  return c.redirect(next, 303);
});

authPages.post("/logout", async (c) => {
  const session = c.get("webSession");
  if (session) await deleteWebSession(c.get("forge").db, session.id);
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  // The browser's HTTP cache may hold this account's pages; the service worker's own caches
  // go when it sees the next page signed out (pwa/sw.js).
  c.header("Clear-Site-Data", '"cache"');
  return c.redirect("/", 303);
});
