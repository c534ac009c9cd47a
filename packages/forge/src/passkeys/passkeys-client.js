// Passkeys in the browser (served at /assets/passkeys/passkeys.js, after the vendored
// @simplewebauthn/browser bundle). Every form with data-passkey stays hidden until the
// browser supports WebAuthn. On submit it posts the form's fields (CSRF token, name,
// password) to data-options, hands the options to the authenticator, puts the result in
// the form's "credential" field and submits the form for the server to check.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) return;
  for (const form of document.querySelectorAll("form[data-passkey]")) {
    form.hidden = false;
    const error = form.querySelector("[data-passkey-error]");
    const button = form.querySelector("button[type=submit]");
    const show = (message) => {
      if (!error) return;
      error.textContent = message;
      error.hidden = !message;
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      show("");
      if (button) button.disabled = true;
      try {
        const body = new URLSearchParams(new FormData(form));
        body.delete("credential");
        const res = await fetch(form.dataset.options, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { accept: "application/json" },
        });
        const data = await res.json().catch(() => null);
        if (!res.ok || !data?.options) {
          show(data?.error ?? "The passkey could not be started. Reload the page and try again.");
          return;
        }
        const credential =
          form.dataset.passkey === "register"
            ? await lib.startRegistration({ optionsJSON: data.options })
            : await lib.startAuthentication({ optionsJSON: data.options });
        form.querySelector("input[name=credential]").value = JSON.stringify(credential);
        for (const input of form.querySelectorAll("input[type=password]")) input.value = "";
        form.submit();
      } catch (err) {
        show(
          err?.name === "NotAllowedError"
            ? "The passkey request was cancelled or timed out."
            : err?.name === "InvalidStateError"
              ? "This passkey is already registered."
              : `The passkey did not work: ${err?.message ?? err}`,
        );
      } finally {
        if (button) button.disabled = false;
      }
    });
  }
})();
