// The address a request came from: the socket peer, or the first X-Forwarded-For hop when
// MICELIO_TRUST_PROXY is set (only behind a proxy you control).
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { AppEnv } from "./context.ts";

export function clientIp(c: Context): string {
  if (process.env.MICELIO_TRUST_PROXY === "1") {
    const fwd = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (fwd) return fwd.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? "";
  } catch {
    return "";
  }
}

export function isHttps(c: Context): boolean {
  if (process.env.MICELIO_TRUST_PROXY === "1" && c.req.header("x-forwarded-proto") === "https") return true;
  return new URL(c.req.url).protocol === "https:";
}

/** Whether cookies must carry the Secure flag (MICELIO_SECURE_COOKIES, or "auto": on https). */
export function secureCookies(c: Context<AppEnv>): boolean {
  const mode = c.get("forge").config.secureCookies;
  return mode === "true" || (mode === "auto" && isHttps(c));
}
