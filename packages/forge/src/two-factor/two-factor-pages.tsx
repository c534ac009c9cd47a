// Settings pages for two-factor sign-in: set up an authenticator app (QR code and the secret
// for typing in, confirmed by a first code), recovery codes shown once, new recovery codes,
// and turning it off. The second step of signing in is in login-step-pages.tsx.
import { Hono, type MiddlewareHandler } from "hono";
import type { Child } from "hono/jsx";
import { actorOf } from "../accounts/accounts-service.ts";
import { SettingsNav } from "../devices/settings-nav.tsx";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { type FormFailure, formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { loginStepPages } from "./login-step-pages.tsx";
import { RECOVERY_CODE_COUNT } from "./recovery-codes.ts";
import { groupSecret, otpauthUri } from "./totp.ts";
import { logUnreadable } from "./totp-secrets.ts";
import {
  cancelEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startEnrolment,
  twoFactorStatus,
  UnreadableTotpSecret,
} from "./two-factor-service.ts";

export const twoFactorPages = new Hono<AppEnv>();
twoFactorPages.route("/", loginStepPages);
/** Secrets and recovery codes are on these pages: browsers must not keep copies. */
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
};
for (const path of ["/settings/two-factor", "/settings/two-factor/*"])
  twoFactorPages.use(path, requireSignedIn, noStore);

type Ctx = Parameters<typeof meta>[0];
const ISSUER = "Micelio";

async function qrDataUrl(text: string): Promise<string> {
  const { default: QRCode } = await import("qrcode");
  const svg = await QRCode.toString(text, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div class="notice" role="status">
      <p>
        <strong>Save these recovery codes now.</strong> Each one signs you in once if you lose your
        authenticator. They will not be shown again.
      </p>
      <ol class="secret" id="recovery-codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ol>
    </div>
  );
}

const PasswordField = ({ id, failure }: { id: string; failure?: FormFailure }) => (
  <>
    <label for={id}>Password</label>
    <input id={id} name="password" type="password" autocomplete="current-password" required />
    <FieldErrors errors={failure?.fields} field="password" />
  </>
);

const CodeField = ({ id, failure, label }: { id: string; failure?: FormFailure; label: string }) => (
  <>
    <label for={id}>{label}</label>
    <input
      id={id}
      name="code"
      inputmode="numeric"
      autocomplete="one-time-code"
      required
      maxlength={20}
      size={12}
    />
    <FieldErrors errors={failure?.fields} field="code" />
  </>
);

async function page(
  c: Ctx,
  opts: { codes?: string[]; message?: string; failure?: FormFailure; form?: string } = {},
) {
  const user = c.get("viewer").user!;
  const { db, secrets } = c.get("forge");
  const status = await twoFactorStatus(db, secrets, user.id);
  const csrf = c.get("csrfToken");
  const failureFor = (form: string) => (opts.form === form ? opts.failure : undefined);
  let body: Child;
  if (status.enabled) {
    body = (
      <>
        <p>
          Two-factor authentication is <strong>on</strong>
          {status.enabledAt ? ` since ${status.enabledAt.toISOString().slice(0, 10)}` : ""}. Signing in on the
          web asks for a code from your authenticator app after your password. Git and the API accept your
          personal access tokens, not your password.
        </p>
        <p class="hint" id="recovery-left">
          {status.recoveryCodesLeft} of {RECOVERY_CODE_COUNT} recovery codes left.
        </p>
        {opts.codes ? <RecoveryCodes codes={opts.codes} /> : null}
        <form method="post" action="/settings/two-factor/recovery-codes" class="card">
          <h2>New recovery codes</h2>
          <p class="hint">Replaces all your recovery codes; the old ones stop working.</p>
          <Alert message={failureFor("recovery")?.message} />
          <CsrfField token={csrf} />
          <PasswordField id="recovery-password" failure={failureFor("recovery")} />
          <p>
            <button type="submit">Generate new recovery codes</button>
          </p>
        </form>
        <form method="post" action="/settings/two-factor/disable" class="card danger-zone">
          <h2>Turn off two-factor authentication</h2>
          <Alert message={failureFor("disable")?.message} />
          <CsrfField token={csrf} />
          <PasswordField id="disable-password" failure={failureFor("disable")} />
          <CodeField
            id="disable-code"
            failure={failureFor("disable")}
            label="Code from your app (or a recovery code)"
          />
          <p>
            <button type="submit">Turn off</button>
          </p>
        </form>
      </>
    );
  } else if (status.pendingSecret) {
    const uri = otpauthUri(ISSUER, user.handle, status.pendingSecret);
    body = (
      <>
        <ol>
          <li>Scan this QR code with an authenticator app (any app that supports TOTP).</li>
          <li>Or type this key into the app by hand (time-based, 6 digits, every 30 seconds).</li>
          <li>Enter the code the app shows to finish.</li>
        </ol>
        <p>
          <img
            src={await qrDataUrl(uri)}
            width={200}
            height={200}
            alt="QR code for your authenticator app; the key is also written below."
            id="totp-qr"
            style="max-width:100%;height:auto"
          />
        </p>
        <p class="secret" id="totp-secret">
          {groupSecret(status.pendingSecret)}
        </p>
        <form method="post" action="/settings/two-factor/confirm" class="card">
          <Alert message={failureFor("confirm")?.message} />
          <CsrfField token={csrf} />
          <CodeField id="confirm-code" failure={failureFor("confirm")} label="Code from your app" />
          <p>
            <button type="submit">Turn on two-factor authentication</button>
          </p>
        </form>
        <form method="post" action="/settings/two-factor/cancel">
          <CsrfField token={csrf} />
          <button type="submit" class="link">
            Cancel the set-up
          </button>
        </form>
      </>
    );
  } else {
    body = (
      <form method="post" action="/settings/two-factor/setup" class="card">
        <p>
          Two-factor authentication is <strong>off</strong>. With it on, signing in needs a code from an
          authenticator app on your phone as well as your password.
        </p>
        <Alert message={failureFor("setup")?.message} />
        <CsrfField token={csrf} />
        <PasswordField id="setup-password" failure={failureFor("setup")} />
        <p>
          <button type="submit">Set up an authenticator app</button>
        </p>
      </form>
    );
  }
  return c.html(
    <Layout {...meta(c, "Two-factor authentication")}>
      <SettingsNav current="/settings/two-factor" />
      <h1>Two-factor authentication</h1>
      {opts.message ? (
        <div class="notice" role="status">
          {opts.message}
        </div>
      ) : null}
      {body}
    </Layout>,
    opts.failure?.status ?? 200,
  );
}

twoFactorPages.get("/settings/two-factor", (c) => page(c));

/** Runs a form action; a service error re-renders the page with the message on that form. */
async function act(c: Ctx, form: string, run: () => Promise<Response>) {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UnreadableTotpSecret)
      logUnreadable(c.get("log"), c.get("viewer").user!.handle, err.reason);
    return page(c, { failure: formFailure(err), form });
  }
}

twoFactorPages.post("/settings/two-factor/setup", async (c) => {
  const { password = "" } = await formFields(c);
  return act(c, "setup", async () => {
    const { db, secrets } = c.get("forge");
    await startEnrolment(db, secrets, c.get("viewer").user!, password);
    return c.redirect("/settings/two-factor", 303);
  });
});

twoFactorPages.post("/settings/two-factor/cancel", async (c) => {
  await cancelEnrolment(c.get("forge").db, c.get("viewer").user!.id);
  return c.redirect("/settings/two-factor", 303);
});

twoFactorPages.post("/settings/two-factor/confirm", async (c) => {
  const { code = "" } = await formFields(c);
  const v = c.get("viewer");
  return act(c, "confirm", async () => {
    const { db, secrets } = c.get("forge");
    const codes = await confirmEnrolment(db, secrets, v.user!, code, actorOf(v.user, v.ip));
    return page(c, { codes, message: "Two-factor authentication is now on." });
  });
});

twoFactorPages.post("/settings/two-factor/recovery-codes", async (c) => {
  const { password = "" } = await formFields(c);
  const v = c.get("viewer");
  return act(c, "recovery", async () => {
    const codes = await regenerateRecoveryCodes(c.get("forge").db, v.user!, password, actorOf(v.user, v.ip));
    return page(c, { codes, message: "New recovery codes generated; the old ones no longer work." });
  });
});

twoFactorPages.post("/settings/two-factor/disable", async (c) => {
  const { password = "", code = "" } = await formFields(c);
  const v = c.get("viewer");
  return act(c, "disable", async () => {
    const { db, secrets } = c.get("forge");
    await disableTwoFactor(db, secrets, v.user!, password, code, actorOf(v.user, v.ip));
    return page(c, { message: "Two-factor authentication is now off." });
  });
});
