// Settings → Passkeys: the user's passkeys (name, when added, when last used), adding one
// (name and password, then the browser's authenticator), renaming, and removing one (needs
// the password). Another user's passkey is not found (404).
import type { Context } from "hono";
import { Hono } from "hono";
import { actorOf } from "../accounts/accounts-service.ts";
import { SettingsNav } from "../devices/settings-nav.tsx";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { CsrfField, Layout } from "../web/layout.tsx";
import { type FormFailure, formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { issueChallenge, takeChallenge } from "./passkey-challenges.ts";
import { PasskeyRegister } from "./passkey-forms.tsx";
import { listPasskeys, NAME_MAX } from "./passkey-store.ts";
import {
  checkName,
  finishRegistration,
  registrationOptions,
  removeUserPasskey,
  renameUserPasskey,
} from "./passkeys-service.ts";
import { relyingParty } from "./relying-party.ts";

export const passkeysPages = new Hono<AppEnv>();
for (const path of ["/settings/passkeys", "/settings/passkeys/*"]) passkeysPages.use(path, requireSignedIn);

type Ctx = Context<AppEnv>;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "never");

async function page(c: Ctx, opts: { message?: string; failure?: FormFailure; form?: string } = {}) {
  const user = c.get("viewer").user!;
  const passkeys = await listPasskeys(c.get("forge").db, user.id);
  const csrf = c.get("csrfToken");
  const failureFor = (form: string) => (opts.form === form ? opts.failure?.message : undefined);
  return c.html(
    <Layout {...meta(c, "Passkeys")}>
      <SettingsNav current="/settings/passkeys" />
      <h1>Passkeys</h1>
      <p class="hint">
        A passkey signs you in without a password, using your device's screen lock or a security key. When
        two-factor authentication is on, a passkey can also replace the code after your password (adding a
        passkey does not turn two-factor authentication on).
      </p>
      {opts.message ? (
        <div class="notice" role="status">
          {opts.message}
        </div>
      ) : null}
      {passkeys.length === 0 ? (
        <p class="empty" id="passkeys-empty">
          No passkeys yet.
        </p>
      ) : (
        <ul class="list" id="passkeys">
          {passkeys.map((p) => (
            <li data-passkey-id={p.id}>
              <strong class="passkey-name">{p.name}</strong>
              <p>
                added {day(p.created_at)} · last used {day(p.last_used_at)}
              </p>
              {failureFor(p.id) ? (
                <div class="alert" role="alert">
                  {failureFor(p.id)}
                </div>
              ) : null}
              <details>
                <summary>Rename or remove</summary>
                <form method="post" action={`/settings/passkeys/${p.id}/rename`}>
                  <CsrfField token={csrf} />
                  <label for={`rename-${p.id}`}>New name</label>
                  <input id={`rename-${p.id}`} name="name" required maxlength={NAME_MAX} value={p.name} />
                  <p>
                    <button type="submit">Rename</button>
                  </p>
                </form>
                <form method="post" action={`/settings/passkeys/${p.id}/remove`}>
                  <CsrfField token={csrf} />
                  <label for={`remove-${p.id}`}>Password</label>
                  <input
                    id={`remove-${p.id}`}
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                  />
                  <p>
                    <button type="submit" class="danger">
                      Remove
                    </button>
                  </p>
                </form>
              </details>
            </li>
          ))}
        </ul>
      )}
      <PasskeyRegister csrf={csrf} message={failureFor("add")} />
    </Layout>,
    opts.failure?.status ?? 200,
  );
}

passkeysPages.get("/settings/passkeys", (c) => page(c));

/** Step one of adding: checks name and password, answers the options as JSON. */
passkeysPages.post("/settings/passkeys/options", async (c) => {
  const { name = "", password = "" } = await formFields(c);
  const user = c.get("viewer").user!;
  try {
    const clean = checkName(name);
    const options = await registrationOptions(c.get("forge").db, user, password, relyingParty(c), (h) =>
      issueChallenge(c, "register", { userId: user.id, name: clean, userHandle: h }),
    );
    c.header("Cache-Control", "no-store");
    return c.json({ options });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const f = formFailure(err);
    return c.json({ error: f.message }, f.status);
  }
});

/** Step two: the authenticator's new credential, checked against this browser's challenge. */
passkeysPages.post("/settings/passkeys", async (c) => {
  const { credential = "" } = await formFields(c);
  const v = c.get("viewer");
  const user = v.user!;
  const stored = await takeChallenge(c, "register");
  if (!stored || stored.userId !== user.id) {
    return page(c, {
      form: "add",
      failure: { status: 400, message: "The request expired or was already used. Try again.", fields: {} },
    });
  }
  try {
    const passkey = await finishRegistration(
      c.get("forge").db,
      user,
      stored,
      credential,
      relyingParty(c),
      actorOf(user, v.ip),
    );
    return page(c, { message: `Passkey "${passkey.name}" added.` });
  } catch (err) {
    return page(c, { form: "add", failure: formFailure(err) });
  }
});

passkeysPages.post("/settings/passkeys/:id/rename", async (c) => {
  const { name = "" } = await formFields(c);
  const v = c.get("viewer");
  const id = c.req.param("id");
  try {
    await renameUserPasskey(c.get("forge").db, v.user!, id, name, actorOf(v.user, v.ip));
    return page(c, { message: "Passkey renamed." });
  } catch (err) {
    return page(c, { form: id, failure: formFailure(err) });
  }
});

passkeysPages.post("/settings/passkeys/:id/remove", async (c) => {
  const { password = "" } = await formFields(c);
  const v = c.get("viewer");
  const id = c.req.param("id");
  try {
    await removeUserPasskey(c.get("forge").db, v.user!, id, password, actorOf(v.user, v.ip));
    return page(c, { message: "Passkey removed." });
  } catch (err) {
    return page(c, { form: id, failure: formFailure(err) });
  }
});
