// OpenID Connect: the provider's discovery document (/.well-known/openid-configuration,
// cached for an hour), the authorization code flow with PKCE S256, state and nonce, and the
// ID token verified against the provider's JWKS (signature, issuer, audience, expiry, nonce).
// The address comes from the ID token or, when it has none, from the userinfo endpoint.
import type { createRemoteJWKSet } from "jose";
import type { OAuthSettings } from "../config/config.ts";
import { exchangeCode, getJson, PROVIDER_TIMEOUT_MS, ProviderError } from "./oauth-http.ts";
import type { AuthorizeInput, CompleteInput, ProviderProfile } from "./providers.ts";

type Settings = NonNullable<OAuthSettings["oidc"]>;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
}

const DISCOVERY_TTL_MS = 60 * 60_000;
const discoveries = new Map<string, { at: number; doc: Discovery }>();
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** Endpoints must be http(s) URLs, and https whenever the issuer is. */
function endpoint(value: unknown, issuer: string, name: string): string {
  if (typeof value !== "string") throw new ProviderError(`discovery: no ${name}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderError(`discovery: bad ${name}`);
  }
  const secure = new URL(issuer).protocol === "https:";
  if (url.protocol !== "https:" && (secure || url.protocol !== "http:")) {
    throw new ProviderError(`discovery: ${name} must use https`);
  }
  return url.toString();
}

export async function discover(s: Settings): Promise<Discovery> {
  const cached = discoveries.get(s.issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.doc;
  const url = `${s.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const raw = (await getJson(url, "OpenID discovery")) as Record<string, unknown>;
  // OpenID Connect Discovery §4.3: the document must name exactly the configured issuer.
  if (raw.issuer !== s.issuer) throw new ProviderError("discovery: issuer does not match the configuration");
  const doc: Discovery = {
    issuer: s.issuer,
    authorization_endpoint: endpoint(raw.authorization_endpoint, s.issuer, "authorization_endpoint"),
    token_endpoint: endpoint(raw.token_endpoint, s.issuer, "token_endpoint"),
    jwks_uri: endpoint(raw.jwks_uri, s.issuer, "jwks_uri"),
    userinfo_endpoint:
      raw.userinfo_endpoint === undefined
        ? undefined
        : endpoint(raw.userinfo_endpoint, s.issuer, "userinfo_endpoint"),
  };
  discoveries.set(s.issuer, { at: Date.now(), doc });
  return doc;
}

/** jose loads with the first sign-in through OpenID Connect. */
let joseModule: Promise<typeof import("jose")> | undefined;
const loadJose = () => {
  joseModule ??= import("jose");
  return joseModule;
};

function keySet(jose: typeof import("jose"), uri: string) {
  let set = keySets.get(uri);
  if (!set) {
    set = jose.createRemoteJWKSet(new URL(uri), { timeoutDuration: PROVIDER_TIMEOUT_MS });
    keySets.set(uri, set);
  }
  return set;
}

export async function oidcAuthorizeUrl(s: Settings, input: AuthorizeInput): Promise<string> {
  const d = await discover(s);
  const url = new URL(d.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: "code",
    client_id: s.clientId,
    redirect_uri: input.redirectUri,
    scope: "openid email profile",
    state: input.state,
    nonce: input.nonce,
    code_challenge: input.challenge,
    code_challenge_method: "S256",
  }))
    url.searchParams.set(k, v);
  return url.toString();
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

export async function oidcComplete(s: Settings, input: CompleteInput): Promise<ProviderProfile> {
  const d = await discover(s);
  const tokens = await exchangeCode({
    tokenUrl: d.token_endpoint,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    code: input.code,
    redirectUri: input.redirectUri,
    codeVerifier: input.verifier,
  });
  if (typeof tokens.id_token !== "string") throw new ProviderError("token answer has no ID token");
  let claims: Record<string, unknown>;
  const jose = await loadJose();
  try {
    ({ payload: claims } = await jose.jwtVerify(tokens.id_token, keySet(jose, d.jwks_uri), {
      issuer: s.issuer,
      audience: s.clientId,
      clockTolerance: 60,
    }));
  } catch (err) {
    const why = err instanceof jose.errors.JOSEError ? err.code : "invalid";
    throw new ProviderError(`ID token refused (${why})`);
  }
  if (claims.nonce !== input.nonce) throw new ProviderError("ID token refused (nonce does not match)");
  const sub = str(claims.sub);
  if (!sub || sub.length > 255) throw new ProviderError("ID token has no subject");
  let info: Record<string, unknown> = claims;
  if (!str(claims.email) && d.userinfo_endpoint) {
    const u = (await getJson(d.userinfo_endpoint, "userinfo", {
      authorization: `Bearer ${tokens.access_token}`,
    })) as Record<string, unknown>;
    // The userinfo answer counts only if it is about the same subject (OIDC Core §5.3.2).
    if (u.sub === sub) info = { ...claims, ...u };
  }
  const email = str(info.email) || null;
  return {
    providerUserId: sub,
    login: str(info.preferred_username) || str(info.nickname),
    name: str(info.name),
    email,
    emailVerified: email !== null && info.email_verified === true,
  };
}
