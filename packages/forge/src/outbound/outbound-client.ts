// The one door for requests to addresses users give (webhooks, federation, imports). Each hop
// resolves the name once, refuses it unless every answer is global unicast (address-policy.ts)
// or opened by MICELIO_OUTBOUND_ALLOW, and connects to that checked address only (the socket's
// lookup is pinned to it, so a second DNS answer cannot rebind the connection); redirects are
// checked again like a new request; the whole exchange is capped in time and the answer in size.
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { allowedAddress, forbiddenReason, type OutboundAllow, parseOutboundAllow } from "./address-policy.ts";

export type OutboundReason =
  | "bad-url"
  | "forbidden-address"
  | "resolve-failed"
  | "timeout"
  | "too-large"
  | "too-many-redirects"
  | "connection-failed";

export class OutboundRefused extends Error {
  constructor(
    readonly reason: OutboundReason,
    message: string,
  ) {
    super(message);
    this.name = "OutboundRefused";
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}
export interface OutboundDeps {
  /** Resolves a host name to every address it has (default: the system resolver). */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
  /** The allowlist (default: MICELIO_OUTBOUND_ALLOW). */
  allow?: OutboundAllow;
  /** Told of each connection just before it is opened (the tests' witness). */
  onConnect?: (target: { url: string; address: string }) => void;
}
export interface OutboundOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange, redirects included (default 10 s, at most 60 s). */
  timeoutMs?: number;
  /** The answer's body (default 1 MiB). */
  maxBytes?: number;
  /** Default 3; 0 answers the redirect itself. */
  maxRedirects?: number;
}
export interface OutboundAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects) and the address it was reached at. */
  url: string;
  address: string;
}

const systemResolve = async (host: string) => dnsLookup(host, { all: true, verbatim: true });
let envAllow: { value: string | undefined; allow: OutboundAllow } | undefined;
function defaultAllow(): OutboundAllow {
  const value = process.env.MICELIO_OUTBOUND_ALLOW;
  if (!envAllow || envAllow.value !== value) envAllow = { value, allow: parseOutboundAllow(value) };
  return envAllow.allow;
}

/** Parses and checks a URL a user gave: http(s), no credentials, every address it resolves to allowed. */
export async function checkOutboundUrl(raw: string, deps: OutboundDeps = {}) {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused("bad-url", "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutboundRefused("bad-url", `${url.protocol} URLs are not allowed (http or https only)`);
  if (url.username || url.password)
    throw new OutboundRefused("bad-url", "credentials in the URL are not allowed");
  const allow = deps.allow ?? defaultAllow();
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  let answers: ResolvedAddress[];
  if (isIP(host)) answers = [{ address: host, family: isIP(host) }];
  else {
    answers = await (deps.resolve ?? systemResolve)(host).catch(() => []);
    if (answers.length === 0) throw new OutboundRefused("resolve-failed", `${host} does not resolve`);
  }
  const hostAllowed = allow.hosts.has(host);
  for (const a of answers) {
    const why = forbiddenReason(a.address);
    if (why && !hostAllowed && !allowedAddress(allow, a.address))
      throw new OutboundRefused("forbidden-address", `${host} resolves to ${a.address}: ${why}`);
  }
  return { url, address: answers[0].address, family: answers[0].family };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One request through the guard; throws OutboundRefused for everything the guard or the network refuses. */
export async function outboundRequest(
  raw: string,
  opts: OutboundOptions = {},
  deps: OutboundDeps = {},
): Promise<OutboundAnswer> {
  const controller = new AbortController();
  const timeoutMs = Math.min(opts.timeoutMs ?? 10_000, 60_000);
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let target = raw;
    let method = (opts.method ?? "GET").toUpperCase();
    let body = opts.body;
    let headers = { ...(opts.headers ?? {}) };
    for (let hop = 0; ; hop++) {
      const checked = await checkOutboundUrl(target, deps);
      if (controller.signal.aborted) throw new OutboundRefused("timeout", `no answer within ${timeoutMs} ms`);
      deps.onConnect?.({ url: checked.url.toString(), address: checked.address });
      const answer = await exchange(
        checked,
        method,
        headers,
        body,
        opts.maxBytes ?? 1024 * 1024,
        controller,
        timeoutMs,
      );
      const location = answer.headers.location;
      if (!REDIRECTS.has(answer.status) || !location || (opts.maxRedirects ?? 3) === 0) return answer;
      if (hop >= (opts.maxRedirects ?? 3))
        throw new OutboundRefused("too-many-redirects", `more than ${opts.maxRedirects ?? 3} redirects`);
      const next = new URL(location, checked.url);
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      if (next.origin !== checked.url.origin) {
        const { authorization: _a, cookie: _c, ...rest } = headers;
        headers = rest;
      }
      target = next.toString();
    }
  } finally {
    clearTimeout(timer);
  }
}

function exchange(
  checked: { url: URL; address: string; family: number },
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  maxBytes: number,
  controller: AbortController,
  timeoutMs: number,
): Promise<OutboundAnswer> {
  const { url, address, family } = checked;
  // Every lookup this connection makes answers the address that was checked.
  const pinned = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    options?.all ? cb(null, [{ address, family }]) : cb(null, address, family)) as unknown as LookupFunction;
  const send = {
    ...headers,
    ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
  };
  return new Promise((resolve, reject) => {
    let tooLarge = false;
    const fail = (err: unknown) =>
      reject(
        tooLarge
          ? new OutboundRefused("too-large", `the answer is larger than ${maxBytes} bytes`)
          : err instanceof OutboundRefused
            ? err
            : controller.signal.aborted
              ? new OutboundRefused("timeout", `no answer within ${timeoutMs} ms`)
              : new OutboundRefused("connection-failed", (err as Error).message),
      );
    const req = (url.protocol === "https:" ? https : http).request(url, {
      method,
      headers: send,
      lookup: pinned,
      signal: controller.signal,
      agent: false,
    });
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          tooLarge = true;
          req.destroy(new OutboundRefused("too-large", `the answer is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", fail);
      res.on("end", () =>
        tooLarge
          ? fail(null)
          : resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              url: url.toString(),
              address,
            }),
      );
    });
    req.end(body);
  });
}
