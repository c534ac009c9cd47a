// Works out who is asking: a web session cookie, a bearer token, or HTTP Basic (handle or
// email with a password or a token as the password, as git clients send). Bad credentials
// are refused outright rather than silently treated as anonymous. Accounts with two-factor
// sign-in on cannot use their password here, only tokens (or the web, with the second step).
// Suspended accounts are refused whatever the credential. Responses that outlive their
// request (event streams) ask credentialHolds() again as they go.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { noteFailedGitSignIn, noticing } from "../abuse/abuse-service.ts";
import { authenticatePassword } from "../accounts/accounts-service.ts";
import { anonymous, type Viewer } from "../accounts/viewer.ts";
import { deleteWebSession, findWebSession, SESSION_COOKIE } from "../accounts/web-sessions.ts";
import type { Db } from "../db/db.ts";
import { recordFailedSignIn } from "../devices/sign-in-events.ts";
import { AppError, forbidden } from "../errors/app-error.ts";
import { loginSucceeded, loginThrottled, reserveLoginAttempt } from "../limits/login-throttle.ts";
import { isGitPath } from "../repos/smart-http.ts";
import { authenticateToken, TOKEN_PREFIX, tokenViewer } from "../tokens/tokens-service.ts";
import { hasTwoFactor } from "../two-factor/two-factor-service.ts";
import { clientIp } from "./client-ip.ts";
import type { AppEnv } from "./context.ts";

const badCredentials = (message: string) =>
  new AppError("unauthorized", message, {
    headers: { "WWW-Authenticate": 'Basic realm="Micelio", charset="UTF-8"' },
  });

export function parseBasic(header: string): { login: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0) return null;
  return { login: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export const authenticate = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  try {
    await identify(c);
  } catch (err) {
    // Failed credentials count against the address's anonymous allowance, so guessing
    // passwords or tokens is rate limited like any anonymous traffic.
    if (err instanceof AppError && err.kind === "unauthorized") {
      const r = await c.get("forge").limiter.consume(clientIp(c) || "unknown", "anonymous");
      if (!r.allowed) {
        throw new AppError(
          "rate_limited",
          `Too many failed sign-ins; try again in ${r.resetSeconds} seconds`,
          {
            headers: {
              "Retry-After": String(r.resetSeconds),
              "RateLimit-Limit": String(r.limit),
              "RateLimit-Remaining": "0",
              "RateLimit-Reset": String(r.resetSeconds),
            },
          },
        );
      }
    }
    throw err;
  }
  await next();
};

async function identify(c: Context<AppEnv>) {
  const { db } = c.get("forge");
  const ip = clientIp(c);
  c.set("viewer", anonymous(ip));
  c.set("webSession", null);
  c.set("authVia", "none");
  const header = c.req.header("authorization");
  if (header) {
    if (/^Bearer\s/i.test(header)) {
      const auth = await authenticateToken(db, header.replace(/^Bearer\s+/i, "").trim());
      if (!auth) throw badCredentials("The token is invalid or has expired");
      useToken(c, tokenViewer(auth, ip));
    } else if (/^Basic\s/i.test(header)) {
      const basic = parseBasic(header);
      if (!basic) throw badCredentials("Malformed Basic credentials");
      if (basic.password.startsWith(TOKEN_PREFIX)) {
        const auth = await authenticateToken(db, basic.password);
        if (!auth) throw badCredentials("The token is invalid or has expired");
        useToken(c, tokenViewer(auth, ip));
      } else {
        const forge = c.get("forge");
        // Passwords share the sign-in allowance of the web form (limits/login-throttle.ts).
        const wait = await reserveLoginAttempt(forge, basic.login, ip);
        if (wait > 0) throw loginThrottled(wait);
        const user = await authenticatePassword(db, basic.login, basic.password);
        if (!user) {
          const via = isGitPath(c.req.path) ? "git" : "api";
          // Not awaited, so the answer takes as long for an unknown account.
          void noticing(
            c.get("log"),
            recordFailedSignIn(db, basic.login, ip, { via }).then(() =>
              via === "git" ? noteFailedGitSignIn(db, forge.config.abuse, basic.login, ip) : undefined,
            ),
          );
          throw badCredentials("Wrong handle, email or password");
        }
        await loginSucceeded(forge, basic.login, ip);
        // A password alone never gets past two-factor: such accounts use tokens for git and the API.
        if (await hasTwoFactor(db, user.id)) {
          throw badCredentials(
            "This account has two-factor authentication on: use a personal access token instead of the password",
          );
        }
        c.set("viewer", { user, scopes: "all", ip, credential: { kind: "password" } });
        c.set("authVia", "basic");
      }
    } else {
      throw badCredentials("Unsupported authorization scheme; use Bearer or Basic");
    }
  } else {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie && cookie.length < 200) {
      const session = await findWebSession(db, cookie, ip);
      if (session) {
        c.set("viewer", {
          user: session.user,
          scopes: "all",
          ip,
          credential: { kind: "session", id: session.id },
        });
        c.set("webSession", session);
        c.set("authVia", "session");
      }
    }
  }
  // A suspended account's credentials stop working: tokens and passwords are refused, and a
  // web session that survived the suspension is ended.
  const resolved = c.get("viewer").user;
  if (resolved?.suspended_at) {
    const session = c.get("webSession");
    if (!session) throw badCredentials("This account is suspended");
    await deleteWebSession(db, session.id);
    c.set("viewer", anonymous(ip));
    c.set("webSession", null);
    c.set("authVia", "none");
  }
}

/**
 * A project token works with the API, git over HTTP and MCP, where every project it reaches is
 * checked (projects/access.ts); the web pages are for people and refuse it.
 */
function useToken(c: Context<AppEnv>, viewer: Viewer) {
  const path = c.req.path;
  if (
    viewer.projects &&
    !path.startsWith("/api/") &&
    path !== "/mcp" &&
    !path.startsWith("/mcp/") &&
    !isGitPath(path)
  ) {
    throw forbidden("A project token works only with the API, git over HTTP and MCP");
  }
  c.set("viewer", viewer);
  c.set("authVia", "token");
}

/**
 * Whether the credential a viewer came with still holds: the token not revoked or expired,
 * the web session not ended or expired, and the account not suspended (or deleted).
 */
export async function credentialHolds(db: Db, viewer: Viewer): Promise<boolean> {
  const user = viewer.user;
  if (!user) return true;
  const account = await db
    .selectFrom("accounts")
    .select("suspended_at")
    .where("id", "=", user.id)
    .executeTakeFirst();
  if (!account || account.suspended_at) return false;
  const credential = viewer.credential;
  if (!credential || credential.kind === "password") return true;
  if (credential.kind === "token") {
    const token = await db
      .selectFrom("api_tokens")
      .leftJoin("org_members", (j) =>
        j
          .onRef("org_members.org_id", "=", "api_tokens.org_id")
          .onRef("org_members.user_id", "=", "api_tokens.user_id"),
      )
      .select(["api_tokens.expires_at", "api_tokens.org_id", "org_members.role"])
      .where("api_tokens.id", "=", credential.id)
      .where("api_tokens.user_id", "=", user.id)
      .executeTakeFirst();
    if (!token || (token.org_id !== null && token.role !== "owner")) return false;
    return token.expires_at === null || token.expires_at.getTime() > Date.now();
  }
  const table = "web_sessions";
  const row = await db
    .selectFrom(table)
    .select("expires_at")
    .where("id", "=", credential.id)
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  return row !== undefined && (row.expires_at === null || row.expires_at.getTime() > Date.now());
}
