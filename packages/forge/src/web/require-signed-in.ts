// Sends visitors who are not signed in to the log-in page, then back.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/context.ts";

export const requireSignedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("viewer").user) {
    const back = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(back.pathname + back.search)}`, 303);
  }
  await next();
};
