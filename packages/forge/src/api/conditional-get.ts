// Conditional GET for the JSON API, so a phone on a slow link revalidates instead of
// downloading again: every successful GET answered with JSON gets a strong ETag, the SHA-256
// of the exact body this caller is sent, and `If-None-Match` naming it turns the answer into a
// 304 with no body. The tag is computed over the response the caller would get anyway, after
// access was decided for them, so a 304 confirms to nobody anything they could not read;
// `Vary: Authorization, Cookie` keeps caches from handing one account's answer to another,
// and `Cache-Control: private, no-cache` (when the route set none) keeps shared caches out.
// Event streams, bodies larger than MAX_BYTES, and answers whose route set its own ETag (and
// so answers If-None-Match itself: objects and trees by id) pass through untouched.
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/context.ts";

const MAX_BYTES = 8 * 1024 * 1024;

/** The strong validator of a body: its SHA-256, base64url, quoted. */
export const etagOf = (body: Uint8Array) => `"${createHash("sha256").update(body).digest("base64url")}"`;

/**
 * Whether `If-None-Match` matches `etag` (RFC 9110 13.1.2: weak comparison, so `W/"x"`
 * matches `"x"`; `*` matches any).
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .includes(etag);
}

function addVary(headers: Headers, names: string[]) {
  const have = (headers.get("vary") ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
  const lower = new Set(have.map((v) => v.toLowerCase()));
  if (lower.has("*")) return;
  for (const n of names) if (!lower.has(n.toLowerCase())) have.push(n);
  headers.set("vary", have.join(", "));
}

export const conditionalGet = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  await next();
  if ((c.req.method !== "GET" && c.req.method !== "HEAD") || c.res.status !== 200) return;
  const type = c.res.headers.get("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type) || c.res.headers.has("etag")) return;
  const length = Number(c.res.headers.get("content-length") ?? 0);
  if (length > MAX_BYTES || !c.res.body) return;
  const body = new Uint8Array(await c.res.arrayBuffer());
  const headers = new Headers(c.res.headers);
  addVary(headers, ["Authorization", "Cookie"]);
  if (!headers.has("cache-control")) headers.set("cache-control", "private, no-cache");
  if (body.byteLength > MAX_BYTES) {
    c.res = new Response(body, { status: 200, headers });
    return;
  }
  const etag = etagOf(body);
  headers.set("etag", etag);
  if (noneMatch(c.req.header("if-none-match"), etag)) {
    headers.delete("content-length");
    headers.delete("content-type");
    c.res = new Response(null, { status: 304, headers });
    return;
  }
  c.res = new Response(body, { status: 200, headers });
};
