// CSRF protection. Web forms carry a token that must match the signed-in session's token,
// or, before sign-in, a random value in a cookie (double submit). Cookie-authenticated
// requests from another site are refused outright (Sec-Fetch-Site / Origin).
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomToken, safeEqual } from "../accounts/secrets.ts";
import { AppError, forbidden } from "../errors/app-error.ts";
import { isGitPath } from "../repos/smart-http.ts";
import { secureCookies } from "./client-ip.ts";
import type { AppEnv } from "./context.ts";

export const CSRF_COOKIE = "mc_csrf";
export const CSRF_FIELD = "_csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function crossSite(origin: string | undefined, fetchSite: string | undefined, url: string): boolean {
  if (fetchSite) return fetchSite === "cross-site" || fetchSite === "same-site";
  if (origin && origin !== "null") return origin !== new URL(url).origin;
  return false;
}

export const csrf = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const session = c.get("webSession");
  let anon = getCookie(c, CSRF_COOKIE);
  if (!session && (!anon || anon.length > 100)) {
    anon = randomToken(24);
    setCookie(c, CSRF_COOKIE, anon, { httpOnly: true, sameSite: "Lax", secure: secureCookies(c), path: "/" });
  }
  const expected = session?.csrfToken ?? anon!;
  c.set("csrfToken", expected);
  // Git smart HTTP ignores cookies altogether (repos/smart-http.ts), so it needs no token.
  // Cookies and cached Basic credentials are sent by browsers on their own, so both are ambient.
  const ambient = c.get("authVia") !== "token" && !isGitPath(c.req.path);
  if (!SAFE.has(c.req.method) && ambient) {
    if (crossSite(c.req.header("origin"), c.req.header("sec-fetch-site"), c.req.url)) {
      throw forbidden("Cross-site request refused");
    }
    // The JSON API refuses every body that is not application/json (see api/json-body.ts), which a
    // cross-site form cannot send; web routes accept only forms, and every form carries the token.
    if (!c.req.path.startsWith("/api/")) {
      const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(
        c.req.header("content-type") ?? "",
      );
      if (!isForm) throw new AppError("unsupported_media_type", "Forms must be sent as form data");
      const body = await c.req.parseBody();
      const sent = typeof body[CSRF_FIELD] === "string" ? (body[CSRF_FIELD] as string) : "";
      if (!sent || !safeEqual(sent, expected)) {
        throw forbidden(
          "The form has expired or was not sent from this site. Reload the page and try again.",
        );
      }
    }
  }
  await next();
};
