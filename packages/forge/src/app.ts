// Builds the forge's HTTP application: middleware in order (request id and logging,
// authentication, rate limits, CSRF, offline marks), then health, assets, the app manifest
// and service worker, API and web pages; errors and unknown paths answered in one place.

import { ulid } from "@micelio/core/ulid";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { buildApi } from "./api/api.ts";
import { notFound } from "./errors/app-error.ts";
import { errorResponse } from "./errors/handler.tsx";
import { federationRoutes } from "./federation/federation.ts";
import { authenticate } from "./http/authenticate.ts";
import type { AppEnv, Forge } from "./http/context.ts";
import { csrf } from "./http/csrf.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { webBodyLimit } from "./http/web-body-limit.ts";
import { mcpHttp } from "./mcp/mcp-http.ts";
import { embedHeaders, isEmbeddable } from "./meta/embed-headers.ts";
import { health } from "./ops/health.ts";
import { offlineMarks } from "./pwa/offline-marks.ts";
import { pwaRoutes } from "./pwa/pwa-routes.tsx";
import { importPages } from "./repos/import-pages.tsx";
import { smartHttp } from "./repos/smart-http.ts";
import { assets } from "./web/assets.ts";
import { webPages } from "./web/pages.ts";

export function buildApp(forge: Forge) {
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    const requestId = ulid();
    c.set("forge", forge);
    c.set("requestId", requestId);
    c.set("log", forge.log.child({ requestId }));
    const started = performance.now();
    await next();
    c.res.headers.set("X-Request-Id", requestId);
    c.var.log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  });
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // The CDN's origin too, for one on plain http (pages show repository images from it).
      imgSrc: [
        "'self'",
        "data:",
        "https:",
        ...(forge.config.cdnUrl ? [new URL(forge.config.cdnUrl).origin] : []),
      ],
      styleSrc: ["'self'", "'unsafe-inline'"],
      scriptSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
    crossOriginEmbedderPolicy: false,
  });
  // Raw repository files and sessions' artifacts are user content: no script, no plugins, a unique origin.
  const rawHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      sandbox: [],
    },
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: "same-origin",
  });
  // Blobs served under a file name (content/named-objects-api.ts) set their own CSP and
  // resource policy (pages on the forge show them from a CDN's origin); the rest as raw files.
  const objectFileHeaders = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], sandbox: [] },
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: "same-origin",
    overwrite: false,
  });
  app.use("*", (c, next) =>
    /^\/[^/]+\/[^/]+\/(?:raw\/|sessions\/[^/]+\/artifacts\/)/.test(c.req.path)
      ? rawHeaders(c, next)
      : /^\/api\/v1\/projects\/[^/]+\/[^/]+\/objects\/[^/]+\/[^/]+$/.test(c.req.path)
        ? objectFileHeaders(c, next)
        : isEmbeddable(c.req.path)
          ? embedHeaders(c, next)
          : pageHeaders(c, next),
  );
  app.route("/", health);
  app.route("/", assets);
  app.route("/", pwaRoutes);
  app.route("/mcp", mcpHttp);
  // ActivityPub (signed by the sender, so before sign-in, rate limits and CSRF).
  app.use("*", federationRoutes());
  app.use("*", authenticate(), rateLimit(), webBodyLimit(), csrf());
  // After sign-in: what the service worker may keep offline, and for which account (pwa/).
  app.use("*", offlineMarks());
  app.route("/api", buildApi());
  app.route("/", smartHttp);
  app.route("/", importPages);
  app.route("/", webPages);
  app.notFound((c) => errorResponse(c, notFound()));
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
