// Settings pages for account security: the signed-in sessions and devices (sign one out, or
// all but this one), changing the password (which signs out every other session), and the
// security log of the account.
import { Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { actorOf } from "../accounts/accounts-service.ts";
import { SESSION_COOKIE } from "../accounts/web-sessions.ts";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout, PostButton } from "../web/layout.tsx";
import { type FormFailure, formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { changePassword, FRESH_SIGN_IN_MINUTES } from "./password-service.ts";
import { listSecurityEvents } from "./security-events.ts";
import { SettingsNav } from "./settings-nav.tsx";
import { listWebSessions, revokeOtherWebSessions, revokeWebSession } from "./web-sessions-service.ts";

export const devicesPages = new Hono<AppEnv>();
for (const path of [
  "/settings/devices",
  "/settings/devices/*",
  "/settings/password",
  "/settings/security-log",
])
  devicesPages.use(path, requireSignedIn);

type Ctx = Parameters<typeof meta>[0];
const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const METHODS: Record<string, string> = {
  password: "password",
  "password+totp": "password and authenticator code",
  "password+recovery-code": "password and recovery code",
  passkey: "passkey",
  "password+passkey": "password and passkey",
  "email-link": "email verification link",
  github: "GitHub",
  gitlab: "GitLab",
  oidc: "single sign-on",
};

async function sessionsPage(c: Ctx, message?: string) {
  const user = c.get("viewer").user!;
  const sessions = await listWebSessions(c.get("forge").db, user.id, c.get("webSession")?.id);
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Sessions and devices")}>
      <SettingsNav current="/settings/devices" />
      <h1>Sessions and devices</h1>
      <p class="hint">Where your account is signed in on the web. Sign out anything you do not recognise.</p>
      {message ? (
        <div class="notice" role="status">
          {message}
        </div>
      ) : null}
      <ul class="list" id="sessions">
        {sessions.map((s) => (
          <li data-session={s.id}>
            <strong>{s.device}</strong> {s.current ? <span class="badge">This device</span> : null}
            <p>
              {s.ip || "unknown address"} · signed in {when(s.created_at)} with{" "}
              {METHODS[s.signed_in_with] ?? s.signed_in_with} · last used {when(s.last_used_at)}
            </p>
            <PostButton action={`/settings/devices/${s.id}/revoke`} csrf={csrf} class="link">
              {s.current ? "Sign out" : "Sign out this session"}
            </PostButton>
          </li>
        ))}
      </ul>
      {sessions.some((s) => !s.current) ? (
        <form method="post" action="/settings/devices/revoke-others" class="card">
          <CsrfField token={csrf} />
          <button type="submit">Sign out all other sessions</button>
        </form>
      ) : null}
    </Layout>,
  );
}

devicesPages.get("/settings/devices", (c) => sessionsPage(c));

devicesPages.post("/settings/devices/revoke-others", async (c) => {
  const v = c.get("viewer");
  const n = await revokeOtherWebSessions(
    c.get("forge").db,
    v.user!,
    c.get("webSession")?.id ?? null,
    actorOf(v.user, v.ip),
  );
  return sessionsPage(c, n === 1 ? "Signed out 1 other session." : `Signed out ${n} other sessions.`);
});

devicesPages.post("/settings/devices/:id/revoke", async (c) => {
  const v = c.get("viewer");
  const current = c.get("webSession")?.id ?? null;
  const { wasCurrent } = await revokeWebSession(
    c.get("forge").db,
    v.user!,
    c.req.param("id").slice(0, 64),
    current,
    actorOf(v.user, v.ip),
  );
  if (wasCurrent) {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  }
  return sessionsPage(c, "Session signed out.");
});

function passwordPage(c: Ctx, opts: { failure?: FormFailure; message?: string } = {}) {
  // Accounts made through a provider (oauth/) may have no password yet: they set a first one.
  const first = c.get("viewer").user?.password_hash === null && !opts.message;
  return c.html(
    <Layout {...meta(c, "Password")}>
      <SettingsNav current="/settings/password" />
      <h1>{first ? "Set a password" : "Change your password"}</h1>
      {opts.message ? (
        <div class="notice" role="status">
          {opts.message}
        </div>
      ) : null}
      <form method="post" action="/settings/password" class="card">
        <Alert message={opts.failure?.message} />
        <CsrfField token={c.get("csrfToken")} />
        {first ? (
          <p class="hint">
            Your account has no password: you sign in through a linked account. A password lets you sign in
            without it, and is needed for two-factor sign-in and changing your email address.
          </p>
        ) : (
          <>
            <label for="current_password">Current password</label>
            <input
              id="current_password"
              name="current_password"
              type="password"
              autocomplete="current-password"
              required
            />
            <FieldErrors errors={opts.failure?.fields} field="current_password" />
          </>
        )}
        <label for="new_password">New password</label>
        <input
          id="new_password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          minlength={8}
        />
        <p class="hint">At least 8 characters. Every other session of your account will be signed out.</p>
        <FieldErrors errors={opts.failure?.fields} field="new_password" />
        <label for="confirm_password">New password again</label>
        <input
          id="confirm_password"
          name="confirm_password"
          type="password"
          autocomplete="new-password"
          required
        />
        <FieldErrors errors={opts.failure?.fields} field="confirm_password" />
        <p>
          <button type="submit">Change password</button>
        </p>
      </form>
    </Layout>,
    opts.failure?.status ?? 200,
  );
}

devicesPages.get("/settings/password", (c) => passwordPage(c));

/** Whether the current web session began in the last few minutes (see changePassword). */
async function signedInRecently(c: Ctx): Promise<boolean> {
  const id = c.get("webSession")?.id;
  if (!id) return false;
  const row = await c
    .get("forge")
    .db.selectFrom("web_sessions")
    .select("created_at")
    .where("id", "=", id)
    .executeTakeFirst();
  return row !== undefined && Date.now() - row.created_at.getTime() < FRESH_SIGN_IN_MINUTES * 60_000;
}

devicesPages.post("/settings/password", async (c) => {
  const values = await formFields(c);
  const v = c.get("viewer");
  if ((values.new_password ?? "") !== (values.confirm_password ?? "")) {
    return passwordPage(c, {
      failure: {
        status: 400,
        message: "The new passwords do not match",
        fields: { confirm_password: "does not match" },
      },
    });
  }
  try {
    const n = await changePassword(
      c.get("forge").db,
      v.user!,
      { current_password: values.current_password ?? "", new_password: values.new_password ?? "" },
      c.get("webSession")?.id ?? null,
      actorOf(v.user, v.ip),
      await signedInRecently(c),
    );
    return passwordPage(c, {
      message: `Password changed.${n > 0 ? ` ${n} other session${n === 1 ? " was" : "s were"} signed out.` : ""}`,
    });
  } catch (err) {
    return passwordPage(c, { failure: formFailure(err) });
  }
});

devicesPages.get("/settings/security-log", async (c) => {
  const user = c.get("viewer").user!;
  const before = Number.parseInt(c.req.query("before") ?? "", 10);
  const events = await listSecurityEvents(c.get("forge").db, user.id, {
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
  });
  const last = events.at(-1);
  return c.html(
    <Layout {...meta(c, "Security log")}>
      <SettingsNav current="/settings/security-log" />
      <h1>Security log</h1>
      <p class="hint">Sign-ins, failed sign-ins and changes to how your account is protected.</p>
      {events.length === 0 ? (
        <div class="empty">Nothing yet.</div>
      ) : (
        <div class="table-wrap">
          <table id="security-log">
            <thead>
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr data-action={e.action}>
                  <td>{when(e.created_at)}</td>
                  <td>
                    {e.description}
                    {typeof e.data.method === "string" ? ` (${METHODS[e.data.method] ?? e.data.method})` : ""}
                    {typeof e.data.device === "string" ? ` (${e.data.device})` : ""}
                  </td>
                  <td>{e.ip || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.length === 50 && last ? (
        <p>
          <a href={`/settings/security-log?before=${last.id}`}>Older events</a>
        </p>
      ) : null}
    </Layout>,
  );
});
