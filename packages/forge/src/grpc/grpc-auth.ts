// Who is calling, for gRPC and Connect: `authorization: Bearer <token>` metadata (a personal
// access token) or nobody. Like the REST API (http/authenticate.ts, api/openapi.ts): a bad,
// expired or suspended account's token is refused outright (UNAUTHENTICATED) and counts
// against the address's anonymous allowance; each call counts against the caller's rate-limit
// tier; a method's declared access is enforced before it runs (a signed-in caller's token must
// carry the scope; anonymous callers reach the service, which answers UNAUTHENTICATED, or
// NOT_FOUND for what they may not know exists). The interceptor also turns every error a call
// throws, streaming or not, into its ConnectError (connect-errors.ts).

import { createContextKey, type Interceptor } from "@connectrpc/connect";
import type { Scope } from "@micelio/core";
import { anonymous, type Viewer } from "../accounts/viewer.ts";
import { requireScope } from "../api/openapi.ts";
import { AppError } from "../errors/app-error.ts";
import { clientIpOf } from "../http/client-ip.ts";
import type { Forge } from "../http/context.ts";
import { authenticateToken, tokenViewer } from "../tokens/tokens-service.ts";
import { toConnectError } from "./connect-errors.ts";

/** The socket peer of the call (set from the Node request). */
export const PEER = createContextKey<string>("");
/** The caller, once the interceptor has identified it. */
export const VIEWER = createContextKey<Viewer>(anonymous());

/** What a method asks of the caller's credential, by "package.Service/Method": a scope, or nothing. */
export type MethodAccess = Record<string, Scope | "public">;

const refused = (message: string) => new AppError("unauthorized", message);

async function identify(forge: Forge, header: Headers, ip: string): Promise<Viewer> {
  const value = header.get("authorization");
  if (!value) return anonymous(ip);
  if (!/^Bearer\s/i.test(value))
    throw refused("Unsupported authorization scheme; send authorization: Bearer <token>");
  const auth = await authenticateToken(forge.db, value.replace(/^Bearer\s+/i, "").trim());
  if (!auth) throw refused("The token is invalid or has expired");
  if (auth.user.suspended_at) throw refused("This account is suspended");
  return tokenViewer(auth, ip);
}

function rateLimited(resetSeconds: number, limit: number, message: string) {
  return new AppError("rate_limited", message, {
    headers: {
      "Retry-After": String(resetSeconds),
      "RateLimit-Limit": String(limit),
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": String(resetSeconds),
    },
  });
}

async function admit(forge: Forge, header: Headers, peer: string): Promise<Viewer> {
  const ip = clientIpOf(peer, header.get("x-forwarded-for") ?? undefined);
  let viewer: Viewer;
  try {
    viewer = await identify(forge, header, ip);
  } catch (err) {
    const r = await forge.limiter.consume(ip || "unknown", "anonymous");
    if (!r.allowed)
      throw rateLimited(
        r.resetSeconds,
        r.limit,
        `Too many failed sign-ins; try again in ${r.resetSeconds} seconds`,
      );
    throw err;
  }
  const tier = viewer.user ? (viewer.agent ? "agent" : "user") : "anonymous";
  const r = await forge.limiter.consume(viewer.user ? viewer.user.id : ip || "unknown", tier);
  if (!r.allowed)
    throw rateLimited(r.resetSeconds, r.limit, `Too many requests; try again in ${r.resetSeconds} seconds`);
  return viewer;
}

async function* mapErrors<T>(messages: AsyncIterable<T>, forge: Forge): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (err) {
    throw toConnectError(err, forge.log);
  }
}

/** Authenticates, rate-limits and checks the declared access of each call; maps its errors. */
export function authInterceptor(forge: Forge, access: MethodAccess): Interceptor {
  return (next) => async (req) => {
    try {
      const path = `${req.service.typeName}/${req.method.name}`;
      const needs = access[path];
      // Every method declares its access; one that does not is refused rather than left open.
      if (!needs) throw new AppError("forbidden", `${path} declares no access`);
      const viewer = await admit(forge, req.header, req.contextValues.get(PEER));
      if (needs !== "public" && viewer.user) requireScope(viewer, needs);
      req.contextValues.set(VIEWER, viewer);
      const res = await next(req);
      return res.stream ? { ...res, message: mapErrors(res.message, forge) } : res;
    } catch (err) {
      throw toConnectError(err, forge.log);
    }
  };
}
