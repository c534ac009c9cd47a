// mic's HTTP client for the forge's JSON API: bearer token, 10 s budget per call, and
// problem+json errors turned into one-line messages with mic's exit codes. It speaks through
// node:http(s) with a keep-alive agent: a command's calls share one connection, and mic does
// not load fetch's implementation (tens of milliseconds at every start).
import http from "node:http";
import { CliError, EXIT, exitForProblem, problemName } from "./exit-codes.ts";
import { trace } from "./git.ts";
import { decodeBody } from "./http-decode.ts";

export interface ClientOptions {
  server: string;
  token?: string;
  /** Where the token comes from ("MIC_TOKEN" or the credentials file), for error messages. */
  tokenSource?: string;
  timeoutMs?: number;
}

/** Set once the forge has taken this process's token: git may then run with it. */
let tokenTaken = false;

/**
 * Checks the token with the forge before git runs with it (unless an API call already
 * succeeded with it), so a bad token is told as "not logged in" rather than as git's failure.
 */
export async function ensureToken(opts: ClientOptions) {
  if (opts.token && !tokenTaken) await request(opts, "GET", "/api/v1/user");
}

function notLoggedIn(opts: ClientOptions, url: URL, detail: unknown): CliError {
  const said = typeof detail === "string" ? `: ${detail}` : "";
  const why = opts.token
    ? `the forge refused the token${opts.tokenSource ? ` from ${opts.tokenSource}` : ""}${said}`
    : "no token";
  return new CliError(
    `not logged in to ${url.host}: ${why} (run mic auth login --server ${url.origin}, or set MIC_TOKEN)`,
    EXIT.notFound,
    { status: 401, type: "https://micelio.dev/problems/unauthorized", server: url.origin },
  );
}

// Idle sockets are unreferenced by the agent, so they never keep mic running. node:https
// (and TLS with it) is loaded only for an https server.
const httpAgent = new http.Agent({ keepAlive: true });
let httpsClient: { module: typeof import("node:https"); agent: http.Agent } | undefined;

async function transportFor(url: URL) {
  if (url.protocol === "http:") return { module: http, agent: httpAgent };
  if (url.protocol !== "https:")
    throw Object.assign(new Error("unsupported protocol"), { code: url.protocol });
  if (!httpsClient) {
    const module = await import("node:https");
    httpsClient = { module, agent: new module.Agent({ keepAlive: true }) };
  }
  return httpsClient;
}

/** A body that is not JSON: a file's bytes with their own type (a session's artifact). */
export interface RawBody {
  raw: Buffer;
  contentType: string;
}
const isRaw = (b: unknown): b is RawBody =>
  typeof b === "object" && b !== null && Buffer.isBuffer((b as RawBody).raw);

interface Answer {
  status: number;
  statusText: string;
  location?: string;
  /** Content-Encoding of the body (still encoded), and its Content-Type. */
  encoding?: string;
  type?: string;
  body: Buffer;
}

/**
 * One HTTP exchange on the keep-alive agent. A kept socket the server closed while it sat idle
 * fails with ECONNRESET before any answer (the server never read the request): that one is
 * sent once more on a new connection, as Node's documentation advises (`reusedSocket`).
 */
async function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  ms: number,
): Promise<Answer> {
  try {
    return await sendOnce(url, method, headers, body, ms);
  } catch (err) {
    if (
      (err as { reusedSocket?: boolean; code?: string }).reusedSocket &&
      (err as { code?: string }).code === "ECONNRESET"
    )
      return sendOnce(url, method, headers, body, ms);
    throw err;
  }
}

async function sendOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  ms: number,
) {
  const transport = await transportFor(url);
  const signal = AbortSignal.timeout(ms);
  return new Promise<Answer>((resolve, reject) => {
    const req = transport.module.request(url, { method, headers, agent: transport.agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          location: res.headers.location,
          encoding: res.headers["content-encoding"],
          type: res.headers["content-type"],
          body: Buffer.concat(chunks),
        }),
      );
    });
    let answered = false;
    req.on("response", () => {
      answered = true;
    });
    req.on("error", (err) =>
      reject(
        signal.aborted
          ? Object.assign(err, { code: "TimeoutError" })
          : Object.assign(err, { reusedSocket: req.reusedSocket && !answered }),
      ),
    );
    req.end(body);
  });
}

export async function request<T = any>(
  opts: ClientOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, opts.server.endsWith("/") ? opts.server : `${opts.server}/`);
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const payload = body === undefined ? undefined : isRaw(body) ? body.raw : JSON.stringify(body);
  if (payload !== undefined) {
    headers["content-type"] = isRaw(body) ? body.contentType : "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  let res: Answer;
  const started = performance.now();
  try {
    res = await send(url, method, headers, payload, opts.timeoutMs ?? 10_000);
    res = await followRedirects(url, method, headers, payload, opts.timeoutMs ?? 10_000, res);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new CliError(`cannot reach ${url.origin} (${reason})`, EXIT.unreachable);
  }
  trace(started, `${method} ${url.pathname} → ${res.status}`);
  const text = res.body.toString("utf8");
  const data = text ? safeJson(text) : null;
  if (res.status === 401) throw notLoggedIn(opts, url, (data as { detail?: unknown } | null)?.detail);
  if (opts.token && res.status >= 200 && res.status < 300) tokenTaken = true;
  if (res.status < 200 || res.status > 299) {
    const detail = (data as { detail?: string } | null)?.detail ?? res.statusText;
    const problem = data && typeof data === "object" ? (data as Record<string, unknown>) : {};
    const details = { ...problem, status: res.status };
    throw new CliError(`${res.status}: ${detail}`, exitForProblem(res.status, problemName(details)), details);
  }
  return data as T;
}

/**
 * The bytes of a 200 or 206 answer (objects by id for mic-fs); any other status, or no answer,
 * is a CliError (404, 401 and 403: not found). No redirects are followed.
 */
export async function requestBytes(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
  ms = 60_000,
): Promise<Buffer> {
  return (await requestBody(url, method, headers, body, ms)).data;
}

/**
 * As requestBytes, for a request that may send `accept-encoding`: the body decoded (gzip or
 * br, at most `maxBytes` once decoded) and `wire`, the bytes that crossed the network.
 */
export async function requestBody(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
  ms = 60_000,
  maxBytes = 256 * 1024 * 1024,
): Promise<{ data: Buffer; wire: number; type?: string }> {
  let res: Answer;
  try {
    res = await send(url, method, headers, body, ms);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).name;
    throw new CliError(`cannot reach ${url.origin} (${reason})`, EXIT.unreachable);
  }
  if (res.status === 200 || res.status === 206) {
    const { type } = res;
    if (!res.encoding || res.encoding === "identity") return { data: res.body, wire: res.body.length, type };
    try {
      return { data: await decodeBody(res.body, res.encoding, maxBytes), wire: res.body.length, type };
    } catch (err) {
      throw new CliError(
        `${url.origin} sent a body mic cannot decode (${(err as Error).message})`,
        EXIT.unreachable,
      );
    }
  }
  const code = [401, 403, 404].includes(res.status) ? EXIT.notFound : EXIT.unreachable;
  throw new CliError(`${res.status} from ${method} ${url.pathname}`, code, { status: res.status });
}

/** Follows redirects as fetch does: 303 (and 301/302 after a POST) become a GET without body. */
async function followRedirects(
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: string | Buffer | undefined,
  ms: number,
  res: Answer,
): Promise<Answer> {
  for (let hops = 0; hops < 5 && [301, 302, 303, 307, 308].includes(res.status) && res.location; hops++) {
    const next = new URL(res.location, url);
    const get = res.status === 303 || (method === "POST" && res.status < 303);
    const h = { ...headers };
    if (get) {
      method = "GET";
      payload = undefined;
      delete h["content-type"];
      delete h["content-length"];
    }
    if (next.origin !== url.origin) delete h.authorization;
    url = next;
    res = await send(url, method, h, payload, ms);
  }
  return res;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
