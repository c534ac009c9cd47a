// The passkey forms other pages show: "Sign in with a passkey" on the log-in page, "Use a
// passkey" at the second step of two-factor sign-in, and adding one in settings. They are
// hidden until passkeys-client.js finds WebAuthn in the browser, and carry the scripts.
import { CsrfField } from "../web/layout.tsx";
import { PasskeyScripts } from "./passkey-assets.tsx";
import { NAME_MAX } from "./passkey-store.ts";

const ErrorLine = () => <p class="field-error" role="alert" data-passkey-error hidden />;

export function PasskeySignIn({ csrf, next }: { csrf: string; next: string }) {
  return (
    <>
      <form
        method="post"
        action="/login/passkey"
        class="card"
        id="passkey-sign-in"
        data-passkey="sign-in"
        data-options="/login/passkey/options"
        hidden
      >
        <CsrfField token={csrf} />
        <input type="hidden" name="next" value={next} />
        <input type="hidden" name="credential" value="" />
        <p class="hint">Or, without a password:</p>
        <ErrorLine />
        <p>
          <button type="submit">Sign in with a passkey</button>
        </p>
      </form>
      <PasskeyScripts />
    </>
  );
}

export function PasskeyStep({ csrf }: { csrf: string }) {
  return (
    <>
      <form
        method="post"
        action="/login/two-factor/passkey"
        class="card"
        id="passkey-step"
        data-passkey="second-step"
        data-options="/login/two-factor/passkey/options"
        hidden
      >
        <CsrfField token={csrf} />
        <input type="hidden" name="credential" value="" />
        <p class="hint">Or confirm with one of your passkeys instead of a code:</p>
        <ErrorLine />
        <p>
          <button type="submit">Use a passkey</button>
        </p>
      </form>
      <PasskeyScripts />
    </>
  );
}

export function PasskeyRegister({ csrf, message }: { csrf: string; message?: string }) {
  return (
    <>
      <form
        method="post"
        action="/settings/passkeys"
        class="card"
        id="passkey-add"
        data-passkey="register"
        data-options="/settings/passkeys/options"
        hidden
      >
        <h2>Add a passkey</h2>
        {message ? (
          <div class="alert" role="alert">
            {message}
          </div>
        ) : null}
        <CsrfField token={csrf} />
        <input type="hidden" name="credential" value="" />
        <label for="passkey-name">Name</label>
        <input id="passkey-name" name="name" required maxlength={NAME_MAX} value="" />
        <p class="hint">Something to tell it apart, such as "Laptop" or "Phone".</p>
        <label for="passkey-password">Password</label>
        <input
          id="passkey-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <ErrorLine />
        <p>
          <button type="submit">Add a passkey</button>
        </p>
      </form>
      <noscript>
        <p class="hint">Adding or using a passkey needs JavaScript.</p>
      </noscript>
      <PasskeyScripts />
    </>
  );
}
