// The notice shown on every page to a signed-in user whose email address is not verified
// yet, with a button that mails the link again and a way to change the address.
import type { Account } from "../db/schema.ts";

/** Whether the account should be asked to verify its address. */
export const needsVerification = (a: Pick<Account, "kind" | "email" | "email_verified_at">) =>
  a.kind === "user" && Boolean(a.email) && !a.email_verified_at;

export function VerifyEmailBanner(props: { user: Account | null; csrfToken: string }) {
  const user = props.user;
  if (!user || !needsVerification(user)) return null;
  return (
    <div class="notice" role="status" id="verify-email-banner">
      Please verify your email address <strong>{user.email}</strong> by following the link we mailed you.{" "}
      <form method="post" action="/settings/email/resend" class="inline">
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <button type="submit" class="link">
          Send the link again
        </button>
      </form>{" "}
      · <a href="/settings/email">Change address</a>
    </div>
  );
}
