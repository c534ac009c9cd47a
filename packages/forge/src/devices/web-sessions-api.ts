// JSON API for the signed-in web sessions of the authenticated user and their security log.
// Signing sessions out is refused to tokens: like creating tokens, it needs the password
// (HTTP Basic) or a web session.
import { createRoute, z } from "@hono/zod-openapi";
import { actorOf } from "../accounts/accounts-service.ts";
import { apiRouter, json, PASSWORD, problems, requireUser, scoped } from "../api/openapi.ts";
import { forbidden } from "../errors/app-error.ts";
import { listSecurityEvents } from "./security-events.ts";
import { listWebSessions, revokeWebSession } from "./web-sessions-service.ts";

export const webSessionsApi = apiRouter();

const WebSessionSchema = z
  .object({
    id: z.string(),
    device: z.string().openapi({ example: "Firefox on Linux" }),
    user_agent: z.string(),
    ip: z.string().openapi({ description: "The address it was last used from" }),
    signed_in_with: z.string().openapi({ example: "password+totp" }),
    created_at: z.string(),
    last_used_at: z.string().openapi({ description: "Updated at most once a minute" }),
    expires_at: z.string(),
    current: z.boolean().openapi({ description: "The session making this request" }),
  })
  .openapi("WebSession");

const SecurityEventSchema = z
  .object({
    id: z.number().int(),
    action: z.string().openapi({ example: "auth.sign_in" }),
    description: z.string(),
    ip: z.string(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi("SecurityEvent");

webSessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/user/sessions",
    tags: ["accounts"],
    summary: "Your signed-in web sessions (devices), most recently used first",
    ...scoped("user"),
    responses: { 200: json(z.array(WebSessionSchema), "Active web sessions"), 401: problems[401] },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await listWebSessions(c.get("forge").db, user.id, c.get("webSession")?.id), 200);
  },
);

webSessionsApi.openapi(
  createRoute({
    method: "delete",
    path: "/user/sessions/{id}",
    tags: ["accounts"],
    summary: "Sign out one of your web sessions",
    ...PASSWORD,
    request: { params: z.object({ id: z.string().max(64) }) },
    responses: {
      204: { description: "Signed out" },
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    if (c.get("authVia") === "token") throw forbidden("Sign sessions out with your password or from the web");
    const v = c.get("viewer");
    await revokeWebSession(
      c.get("forge").db,
      user,
      c.req.valid("param").id,
      c.get("webSession")?.id ?? null,
      actorOf(user, v.ip),
    );
    return c.body(null, 204);
  },
);

webSessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/user/security-events",
    tags: ["accounts"],
    summary: "Your security log: sign-ins, failures, two-factor and session changes, newest first",
    ...scoped("user"),
    request: {
      query: z.object({
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
    },
    responses: { 200: json(z.array(SecurityEventSchema), "Events"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await listSecurityEvents(c.get("forge").db, user.id, c.req.valid("query")), 200);
  },
);
