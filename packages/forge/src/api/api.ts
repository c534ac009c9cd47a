// The JSON API under /api/v1, its OpenAPI 3.1 document (/api/openapi.json, generated from
// the route definitions) and the reference UI (/api/docs, served from this instance).

import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { html } from "hono/html";
import { reviewApi } from "../abuse/review-api.ts";
import { accountsApi } from "../accounts/accounts-api.ts";
import { adminApi, requireAdmin } from "../admin/admin-api.ts";
import { adminManageApi } from "../admin/admin-manage-api.ts";
import { attestationApi } from "../attestation/attestation-api.ts";
import { blameApi } from "../blame/blame-api.ts";
import { browseApi } from "../browse/browse-api.ts";
import { advisoriesApi } from "../checks/audit/advisories-api.ts";
import { validationsApi } from "../checks/validations-api.ts";
import { contentApi } from "../content/content-api.ts";
import { namedObjectsApi } from "../content/named-objects-api.ts";
import { deviceApi } from "../device/device-api.ts";
import { webSessionsApi } from "../devices/web-sessions-api.ts";
import { errorsApi } from "../error-tracking/errors-api.ts";
import { AppError } from "../errors/app-error.ts";
import { federationApi } from "../federation/federation-api.ts";
import { repliesApi } from "../federation/replies-api.ts";
import { followsApi } from "../follows/follows-api.ts";
import { feedApi } from "../home/feed-api.ts";
import type { AppEnv } from "../http/context.ts";
import { limitsApi } from "../limits/limits-api.ts";
import { mailApi } from "../mail/mail-api.ts";
import { notificationsApi } from "../notifications/notifications-api.ts";
import { orgsApi } from "../orgs/orgs-api.ts";
import { profileApi } from "../profiles/profile-api.ts";
import { projectsApi } from "../projects/projects-api.ts";
import { promptsApi } from "../prompts/prompts-api.ts";
import { qualityApi } from "../quality/quality-api.ts";
import { importApi } from "../repos/import-api.ts";
import { commentsApi } from "../reviews/comments-api.ts";
import { searchApi } from "../search/search-api.ts";
import { eventsApi } from "../sessions/events-api.ts";
import { artifactsApi } from "../sessions/session-artifacts-api.ts";
import { sessionFileApi } from "../sessions/session-file-api.ts";
import { sessionsApi } from "../sessions/sessions-api.ts";
import { syncInfoApi } from "../sessions/sync-info-api.ts";
import { socialApi } from "../social/social-api.ts";
import { storageApi } from "../storage/storage-api.ts";
import { tokensApi } from "../tokens/tokens-api.ts";
import { agentPolicyApi } from "../trust/agent-policy-api.ts";
import { agentsApi } from "../trust/agents-api.ts";
import { circuitApi } from "../trust/circuit-api.ts";
import { noiseApi } from "../trust/noise-api.ts";
import { reviewBudgetApi } from "../trust/review-budget-api.ts";
import { hooksApi } from "../webhooks/hooks-api.ts";
import { conditionalGet } from "./conditional-get.ts";
import { checkJsonBody } from "./json-body.ts";

export const API_VERSION = "0.1.0";
const MAX_BODY = 1024 * 1024;

/** Bodies sent to the API must be JSON; anything else is refused before it is read. */
export const requireJsonBody = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (["POST", "PUT", "PATCH", "DELETE"].includes(c.req.method)) {
    const length = c.req.header("content-length");
    const hasBody =
      (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    const type = c.req.header("content-type") ?? "";
    if (isRawUpload(c.req.method, c.req.path, type)) return next();
    if (hasBody && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      throw new AppError("unsupported_media_type", "Send the request body as application/json");
    }
  }
  await next();
};

/**
 * Bodies that are not JSON, read by their routes under their own caps: git bundles for import
 * (streamed to disk, repos/import-service.ts), a session's artifacts (sessions/session-artifacts.ts),
 * large files of its change (sessions/session-file-api.ts) and mail clients' one-click
 * unsubscribe (notifications/).
 */
const isRawUpload = (method: string, path: string, type: string) =>
  (method === "PUT" && /\/sessions\/[^/]+\/file$/.test(path) && !/json/i.test(type)) ||
  (method === "POST" &&
    ((path.endsWith("/import") && type.startsWith("application/x-git-bundle")) ||
      (/\/sessions\/[^/]+\/artifacts$/.test(path) && !/json/i.test(type)) ||
      // RFC 8058 one-click unsubscribe posts `List-Unsubscribe=One-Click` as a form; it is not read.
      (/\/notifications\/unsubscribe\/[^/]+$/.test(path) &&
        type.startsWith("application/x-www-form-urlencoded"))));

const tooLarge = () => {
  throw new AppError("too_large", `The request body is larger than ${MAX_BODY} bytes`);
};
const streamedLimit = bodyLimit({ maxSize: MAX_BODY, onError: tooLarge });
/**
 * The JSON cap. A body of declared length is judged by its Content-Length (Node's parser never
 * delivers more than that) without touching the body, so the lightweight request of the Node
 * adapter is read directly later instead of becoming a web Request with a stream; a body sent
 * in chunks is counted as it arrives (hono/body-limit).
 */
const jsonLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  const length = c.req.header("content-length");
  if (length !== undefined && c.req.header("transfer-encoding") === undefined && /^\d+$/.test(length)) {
    return Number(length) > MAX_BODY ? tooLarge() : next();
  }
  return streamedLimit(c, next);
};

export function buildApi() {
  const api = new OpenAPIHono<AppEnv>();
  const v1 = new OpenAPIHono<AppEnv>();
  v1.use(
    "*",
    conditionalGet(), // ETag and If-None-Match on JSON reads (conditional-get.ts)
    requireJsonBody(),
    (c, next) =>
      isRawUpload(c.req.method, c.req.path, c.req.header("content-type") ?? "") ? next() : jsonLimit(c, next),
    checkJsonBody(),
  );
  // Administration routes do not exist for anyone else: refused before their input is read.
  v1.use("/admin/*", async (c, next) => {
    requireAdmin(c);
    await next();
  });
  for (const router of [
    accountsApi,
    tokensApi,
    projectsApi,
    orgsApi,
    adminApi,
    importApi,
    browseApi,
    contentApi,
    namedObjectsApi,
    blameApi,
    reviewBudgetApi, // before sessionsApi: /sessions/review-batch is not /sessions/{id}
    sessionsApi,
    commentsApi,
    syncInfoApi,
    validationsApi,
    advisoriesApi,
    eventsApi,
    deviceApi,
    webSessionsApi,
    adminManageApi,
    searchApi,
    socialApi,
    followsApi,
    feedApi,
    mailApi,
    profileApi,
    limitsApi,
    reviewApi,
    agentsApi,
    circuitApi,
    noiseApi,
    agentPolicyApi,
    artifactsApi,
    sessionFileApi,
    promptsApi,
    hooksApi,
    storageApi,
    notificationsApi,
    federationApi,
    repliesApi,
    errorsApi,
    attestationApi,
    qualityApi,
  ])
    v1.route("/", router);

  api.route("/v1", v1);
  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A personal access token (mic_…)",
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "basicAuth", {
    type: "http",
    scheme: "basic",
    description: "Handle or email and password, or a token as the password",
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "mc_session",
  });
  api.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Micelio API",
      version: API_VERSION,
      description:
        "The JSON API of a Micelio forge. Errors are RFC 9457 problem+json documents. Agents may also use the Model Context Protocol server at /mcp (Streamable HTTP, Bearer token; see /skill.md).",
    },
    servers: [{ url: `${new URL(c.req.url).origin}/api` }],
  }));
  api.get("/docs", (c) =>
    c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Micelio</title><link rel="stylesheet" href="/assets/swagger/swagger-ui.css"></head>
<body><noscript><p>The interactive reference needs JavaScript. The raw document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></noscript>
<div id="swagger"></div><script src="/assets/swagger/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`),
  );
  api.get("/docs/init.js", (c) =>
    c.body('window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger" });', 200, {
      "Content-Type": "text/javascript; charset=utf-8",
    }),
  );
  return api;
}
