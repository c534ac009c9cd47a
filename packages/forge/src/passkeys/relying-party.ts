// Who the passkeys belong to (the WebAuthn relying party): the origin and RP ID come from
// MICELIO_PUBLIC_URL when it is set (behind a proxy it must be), else from the address the
// request arrived at. A passkey works only on the host it was made on, so changing the
// public host name leaves existing passkeys unusable. Browsers accept "localhost" but not
// an IP address as an RP ID: sign in through http://localhost:PORT when trying it locally.
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { publicOrigin } from "../meta/urls.ts";

export const RP_NAME = "Micelio";

export interface RelyingParty {
  /** The scheme, host and port the browser must report. */
  origin: string;
  /** The host name the credentials are scoped to. */
  rpID: string;
}

export function relyingParty(c: Context<AppEnv>): RelyingParty {
  const url = new URL(publicOrigin(c));
  return { origin: url.origin, rpID: url.hostname.replace(/^\[|\]$/g, "") };
}
