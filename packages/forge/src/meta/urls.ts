// Absolute URLs as the outside world sees them: the configured public URL's origin when set
// (the forge may sit behind a proxy), else the origin the request arrived at.
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";

export function publicOrigin(c: Context<AppEnv>): string {
  return (c.get("forge").config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
}

/** The absolute public URL of the current page, query included. */
export function pageUrl(c: Context<AppEnv>): string {
  const u = new URL(c.req.url);
  return `${publicOrigin(c)}${u.pathname}${u.search}`;
}
