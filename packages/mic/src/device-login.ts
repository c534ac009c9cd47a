// `mic auth login` without a token: the OAuth 2.0 device authorization flow (RFC 8628).
// mic asks the forge for a code pair, tells the user where to approve it (on stderr, so
// that --json output stays one JSON document), and polls at the forge's interval, slowing
// down when asked, until the login is approved, denied or expired.
import { hostname } from "node:os";
import { request } from "./client.ts";
import { CliError, EXIT } from "./exit-codes.ts";

export interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export interface DeviceGrant {
  access_token: string;
  handle: string;
  scopes: string[];
}

export interface DeviceLoginOptions {
  /** Where the human instructions go (stderr by default). */
  say?: (line: string) => void;
  clientName?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function deviceLogin(server: string, opts: DeviceLoginOptions = {}): Promise<DeviceGrant> {
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clientName = (opts.clientName ?? `mic on ${hostname()}`).slice(0, 60);
  const code = await request<DeviceCode>({ server }, "POST", "/api/v1/device/code", {
    client_name: clientName,
  });
  say(`To log in, open ${code.verification_uri} and enter the code ${code.user_code}`);
  say(`Or open: ${code.verification_uri_complete}`);
  say("Waiting for approval…");
  const deadline = Date.now() + code.expires_in * 1000;
  let interval = Math.max(1, code.interval);
  for (;;) {
    await sleep(interval * 1000);
    if (Date.now() > deadline) throw expired();
    const answer = await poll(server, code.device_code);
    if ("access_token" in answer) return answer;
    switch (answer.error) {
      case "authorization_pending":
        break;
      case "slow_down":
        interval = Math.max(interval + 5, answer.interval ?? 0);
        break;
      case "access_denied":
        throw new CliError("the device login was denied in the browser", EXIT.notFound);
      case "expired_token":
        throw expired();
      default:
        throw new CliError(`device login failed: ${answer.detail ?? answer.error}`, EXIT.notFound);
    }
  }
}

const expired = () =>
  new CliError("the device code expired before it was approved; run mic auth login again", EXIT.notFound);

type PollAnswer = DeviceGrant | { error: string; detail?: string; interval?: number };

/** One poll of /api/v1/device/token; RFC 8628 errors come back as values, not exceptions. */
async function poll(server: string, deviceCode: string): Promise<PollAnswer> {
  const url = new URL("/api/v1/device/token", server.endsWith("/") ? server : `${server}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ device_code: deviceCode }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(`cannot reach ${url.origin} (${reason})`, EXIT.unreachable);
  }
  const text = await res.text();
  let data: { error?: unknown; detail?: unknown; interval?: unknown; access_token?: unknown } | null = null;
  try {
    data = JSON.parse(text);
  } catch {
    /* not JSON: handled below */
  }
  if (res.ok && typeof data?.access_token === "string") return data as DeviceGrant;
  if (res.status === 400 && typeof data?.error === "string") {
    return {
      error: data.error,
      detail: typeof data.detail === "string" ? data.detail : undefined,
      interval: typeof data.interval === "number" ? data.interval : undefined,
    };
  }
  // The forge's general rate limit: wait as told, like slow_down.
  if (res.status === 429) {
    return { error: "slow_down", interval: Number(res.headers.get("retry-after")) || undefined };
  }
  const detail = typeof data?.detail === "string" ? data.detail : res.statusText;
  throw new CliError(`${res.status}: ${detail}`, res.status >= 500 ? EXIT.unreachable : EXIT.notFound);
}
