// Tells the service worker (sw.js) what it may keep for offline reading. Every GET answered
// with a page or a raw file gets X-Micelio-Account (a hash of the signed-in account's id, or
// "anonymous") and X-Micelio-Offline: "public" (an anonymous visitor's page: anyone's cache),
// "private" (a signed-in person's page: only that account's cache) or "no". Never kept:
// anything but a 200, `Cache-Control: no-store`, requests made with an API token or Basic
// credentials, and account pages (settings, admin, sign-in and the like).
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/context.ts";

export const OFFLINE_HEADER = "X-Micelio-Offline";
export const ACCOUNT_HEADER = "X-Micelio-Account";
export type OfflineMark = "public" | "private" | "no";

/** Paths whose pages are never kept offline (their first segment). */
export const NEVER_OFFLINE =
  /^\/(?:api|mcp|settings|admin|login|logout|signup|auth|oauth|device|forgot-password|reset-password|verify-email|offline)(?:\/|$)/;
const RAW_FILE = /^\/[^/]+\/[^/]+\/raw\//;

/** The account's tag in X-Micelio-Account: not its id, and the same in every process. */
export function accountTag(accountId: string): string {
  return createHash("sha256").update(`micelio-offline:${accountId}`).digest("hex").slice(0, 32);
}

export interface MarkInput {
  method: string;
  path: string;
  status: number;
  contentType: string;
  cacheControl: string;
  authVia: AppEnv["Variables"]["authVia"];
  signedIn: boolean;
}

/** Whether a response is a page or raw file at all (only those carry the headers). */
export const isOfflineCandidate = (path: string, contentType: string) =>
  RAW_FILE.test(path) || /^text\/html\b/i.test(contentType);

export function offlineMark(r: MarkInput): OfflineMark {
  if (r.method !== "GET" || r.status !== 200) return "no";
  if (r.authVia === "token" || r.authVia === "basic") return "no";
  if (/(?:^|,)\s*no-store\b/i.test(r.cacheControl)) return "no";
  if (NEVER_OFFLINE.test(r.path) || !isOfflineCandidate(r.path, r.contentType)) return "no";
  return r.signedIn ? "private" : "public";
}

export const offlineMarks = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  await next();
  if (c.req.method !== "GET") return;
  const contentType = c.res.headers.get("content-type") ?? "";
  if (!isOfflineCandidate(c.req.path, contentType)) return;
  const user = c.get("viewer")?.user ?? null;
  const authVia = c.get("authVia");
  const mark = offlineMark({
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    contentType,
    cacheControl: c.res.headers.get("cache-control") ?? "",
    authVia,
    signedIn: user !== null,
  });
  c.res.headers.set(OFFLINE_HEADER, mark);
  if (authVia !== "token" && authVia !== "basic") {
    c.res.headers.set(ACCOUNT_HEADER, user ? accountTag(user.id) : "anonymous");
  }
};
