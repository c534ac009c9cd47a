// The configured identity providers: GitHub (or a GitHub Enterprise server), GitLab (gitlab.com
// or a self-managed instance) and one OpenID Connect provider. Each builds its authorization
// URL (state and PKCE S256 always) and turns a callback's code into the provider's account.
import type { Config, OAuthSettings } from "../config/config.ts";
import { exchangeCode, getJson, ProviderError } from "./oauth-http.ts";
import { oidcAuthorizeUrl, oidcComplete } from "./oidc.ts";

export const PROVIDER_IDS = ["github", "gitlab", "oidc"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** The provider's account, as the provider describes it. */
export interface ProviderProfile {
  /** Stable id at the provider (GitHub/GitLab numeric id, OIDC `sub`). */
  providerUserId: string;
  login: string;
  name: string;
  email: string | null;
  /** Whether the provider says it verified the address. */
  emailVerified: boolean;
}

export interface AuthorizeInput {
  state: string;
  challenge: string;
  nonce: string;
  redirectUri: string;
}
export interface CompleteInput {
  code: string;
  verifier: string;
  nonce: string;
  redirectUri: string;
}

export interface OAuthProvider {
  id: ProviderId;
  name: string;
  /** The provider instance (base URL or OIDC issuer); identities remember it. */
  issuer: string;
  authorizeUrl(input: AuthorizeInput): Promise<string>;
  complete(input: CompleteInput): Promise<ProviderProfile>;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const idOf = (v: unknown) => (typeof v === "number" || (typeof v === "string" && v) ? String(v) : "");

function authorizationUrl(base: string, clientId: string, scope: string, input: AuthorizeInput) {
  const url = new URL(base);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: input.redirectUri,
    scope,
    state: input.state,
    code_challenge: input.challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

function github(s: NonNullable<OAuthSettings["github"]>): OAuthProvider {
  return {
    id: "github",
    name: "GitHub",
    issuer: s.url,
    authorizeUrl: async (input) =>
      authorizationUrl(`${s.url}/login/oauth/authorize`, s.clientId, "read:user user:email", input),
    async complete(input) {
      const tokens = await exchangeCode({
        tokenUrl: `${s.url}/login/oauth/access_token`,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        code: input.code,
        redirectUri: input.redirectUri,
        codeVerifier: input.verifier,
      });
      const auth = { authorization: `Bearer ${tokens.access_token}`, "x-github-api-version": "2022-11-28" };
      const user = (await getJson(`${s.apiUrl}/user`, "GitHub user", auth)) as Record<string, unknown>;
      const providerUserId = idOf(user.id);
      if (!providerUserId) throw new ProviderError("GitHub user: no id");
      // The primary address and whether GitHub verified it (needs the user:email scope).
      const emails = await getJson(`${s.apiUrl}/user/emails`, "GitHub emails", auth).catch(() => []);
      const primary = Array.isArray(emails)
        ? (emails as Record<string, unknown>[]).find((e) => e && e.primary === true && str(e.email))
        : undefined;
      return {
        providerUserId,
        login: str(user.login),
        name: str(user.name),
        email: primary ? str(primary.email) : str(user.email) || null,
        emailVerified: primary?.verified === true,
      };
    },
  };
}

function gitlab(s: NonNullable<OAuthSettings["gitlab"]>): OAuthProvider {
  return {
    id: "gitlab",
    name: "GitLab",
    issuer: s.url,
    authorizeUrl: async (input) =>
      authorizationUrl(`${s.url}/oauth/authorize`, s.clientId, "read_user", input),
    async complete(input) {
      const tokens = await exchangeCode({
        tokenUrl: `${s.url}/oauth/token`,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        code: input.code,
        redirectUri: input.redirectUri,
        codeVerifier: input.verifier,
      });
      const user = (await getJson(`${s.url}/api/v4/user`, "GitLab user", {
        authorization: `Bearer ${tokens.access_token}`,
      })) as Record<string, unknown>;
      const providerUserId = idOf(user.id);
      if (!providerUserId) throw new ProviderError("GitLab user: no id");
      const email = str(user.email) || null;
      return {
        providerUserId,
        login: str(user.username),
        name: str(user.name),
        email,
        // GitLab reports when the user confirmed their primary address.
        emailVerified: email !== null && str(user.confirmed_at) !== "",
      };
    },
  };
}

function oidc(s: NonNullable<OAuthSettings["oidc"]>): OAuthProvider {
  return {
    id: "oidc",
    name: s.name,
    issuer: s.issuer,
    authorizeUrl: (input) => oidcAuthorizeUrl(s, input),
    complete: (input) => oidcComplete(s, input),
  };
}

/** The providers this instance is configured for, in the order the login page shows them. */
export function configuredProviders(config: Config): OAuthProvider[] {
  const o = config.oauth;
  return [
    ...(o.github ? [github(o.github)] : []),
    ...(o.gitlab ? [gitlab(o.gitlab)] : []),
    ...(o.oidc ? [oidc(o.oidc)] : []),
  ];
}

export function findProvider(config: Config, id: string): OAuthProvider | undefined {
  return configuredProviders(config).find((p) => p.id === id);
}

/** A provider's display name, also for identities whose provider is no longer configured. */
export function providerName(config: Config, id: string): string {
  return findProvider(config, id)?.name ?? (id === "github" ? "GitHub" : id === "gitlab" ? "GitLab" : id);
}
