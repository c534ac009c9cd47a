// Outbound HTTP to identity providers: JSON requests with a time limit, redirects never
// followed (so nothing is fetched from a host the configuration did not name), answers
// size-limited, and failures turned into one error that never carries a secret.
import { createHash } from "node:crypto";
import { randomToken } from "../accounts/secrets.ts";

export const PROVIDER_TIMEOUT_MS = 10_000;
const MAX_BYTES = 1_000_000;

/** A provider did not answer as expected; the message is safe to log and show. */
export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderError";
  }
}

/** PKCE (RFC 7636): a random verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomToken(32);
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

async function readJson(res: Response, what: string): Promise<Record<string, unknown>> {
  if (Number(res.headers.get("content-length") ?? 0) > MAX_BYTES) {
    await res.body?.cancel();
    throw new ProviderError(`${what}: answer too large`);
  }
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new ProviderError(`${what}: answer too large`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProviderError(`${what}: answer is not JSON (HTTP ${res.status})`);
  }
  if (typeof data !== "object" || data === null) throw new ProviderError(`${what}: unexpected answer`);
  return data as Record<string, unknown>;
}

export async function requestJson(
  url: string,
  what: string,
  init: { method?: "GET" | "POST"; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> | unknown[] }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? "GET",
      headers: {
        accept: "application/json",
        "user-agent": "Micelio",
        ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        ...init.headers,
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: "manual",
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch (err) {
    const timeout = (err as Error).name === "TimeoutError";
    throw new ProviderError(`${what}: ${timeout ? "no answer in time" : "could not connect"}`);
  }
  if (res.status >= 300 && res.status < 400) throw new ProviderError(`${what}: unexpected redirect`);
  const body = (await readJson(res, what)) as Record<string, unknown> | unknown[];
  return { status: res.status, body };
}

/** GET a JSON object; anything but 200 is an error. */
export async function getJson(url: string, what: string, headers: Record<string, string> = {}) {
  const { status, body } = await requestJson(url, what, { headers });
  if (status !== 200) throw new ProviderError(`${what}: HTTP ${status}`);
  return body;
}

/**
 * The token request of the authorization code grant (RFC 6749 §4.1.3, with the PKCE
 * verifier), client credentials sent as HTTP Basic. Returns the whole token answer.
 */
export async function exchangeCode(opts: {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
}): Promise<Record<string, unknown>> {
  const basic = Buffer.from(
    `${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`,
  ).toString("base64");
  const { status, body } = await requestJson(opts.tokenUrl, "token request", {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
    form: {
      grant_type: "authorization_code",
      code: opts.code,
      redirect_uri: opts.redirectUri,
      code_verifier: opts.codeVerifier,
    },
  });
  if (Array.isArray(body)) throw new ProviderError("token request: unexpected answer");
  // GitHub reports errors with HTTP 200 and an `error` field.
  if (status !== 200 || typeof body.error === "string") {
    const code = typeof body.error === "string" ? body.error.slice(0, 60) : `HTTP ${status}`;
    throw new ProviderError(`token request refused (${code})`);
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new ProviderError("token request: no access token");
  }
  return body;
}
