// The handle input of the sign-up forms (password and provider sign-up), with its hint and errors.
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
