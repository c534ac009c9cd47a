// Parts of both sign-up forms (password and provider sign-up): the handle input with its hint
// and errors, and the terms one agrees to with the Sign up button.
import { FieldErrors } from "../web/layout.tsx";

export function HandleField(props: { value?: string; errors?: Parameters<typeof FieldErrors>[0]["errors"] }) {
  return (
    <>
      <label for="handle">Handle</label>
      <input
        id="handle"
        name="handle"
        value={props.value ?? ""}
        autocomplete="username"
        required
        maxlength={39}
      />
      <p class="hint">Letters, digits and hyphens. It appears in your URLs.</p>
      <FieldErrors errors={props.errors} field="handle" />
    </>
  );
}

/** The terms one agrees to by signing up, and the Sign up button. */
export function TermsAndSignUp() {
  return (
    <>
      <p class="hint">
        By signing up you agree to the <a href="/legal">terms</a>: you are solely responsible for the content
        you host.
      </p>
      <p>
        <button type="submit">Sign up</button>
      </p>
    </>
  );
}
