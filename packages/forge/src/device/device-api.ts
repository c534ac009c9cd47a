// JSON API for device login (RFC 8628): the device asks for a code pair and polls for its
// token anonymously; a signed-in user approves or denies the user code. Approving takes the
// password (HTTP Basic) or a web session, never a token — as with creating tokens, a token
// must not mint others — and grants at most the scopes the account may hold.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  apiRouter,
  json,
  PASSWORD,
  ProblemSchema,
  PUBLIC,
  problems,
  requireUser,
  scoped,
} from "../api/openapi.ts";
import { forbidden } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { countCodeAttempt } from "./device-limit.ts";
import {
  approveDevice,
  DEVICE_ERRORS,
  denyDevice,
  deviceCodeRequestSchema,
  deviceTokenRequestSchema,
  exchangeDeviceCode,
  requestDeviceCode,
} from "./device-service.ts";
import { normalizeUserCode } from "./user-code.ts";

export const deviceApi = apiRouter();

const DeviceCodeSchema = z
  .object({
    device_code: z.string().describe("Secret for polling /device/token; never show it to the user"),
    user_code: z.string().describe("What the user enters at verification_uri, e.g. BCDF-GHJK"),
    verification_uri: z.string(),
    verification_uri_complete: z.string().describe("verification_uri with the code filled in"),
    expires_in: z.number().int().describe("Seconds until both codes expire"),
    interval: z.number().int().describe("Seconds to wait between polls"),
  })
  .openapi("DeviceCode");

const DeviceTokenSchema = z
  .object({
    access_token: z.string().describe("A personal access token (mic_…), shown once"),
    token_type: z.literal("bearer"),
    scope: z.string().describe("The granted scopes, space-separated (OAuth form)"),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable(),
    handle: z.string().describe("The account the token acts for"),
  })
  .openapi("DeviceToken");

const DeviceProblemSchema = ProblemSchema.extend({
  error: z.enum(DEVICE_ERRORS).describe("RFC 8628 error code: keep polling on authorization_pending"),
  interval: z.number().int().optional().describe("Seconds to wait before the next poll"),
}).openapi("DeviceTokenProblem");

const DeviceDecisionSchema = z
  .object({
    user_code: z.string(),
    client_name: z.string(),
    scopes: z.array(z.string()).describe("Granted scopes (approved) or requested scopes (denied)"),
    status: z.enum(["pending", "approved", "denied", "used"]),
    expires_at: z.string(),
  })
  .openapi("DeviceDecision");

const UserCodeBody = z.object({ user_code: z.string().max(40) }).openapi("DeviceUserCode");

const origin = (c: Context<AppEnv>) =>
  (c.get("forge").config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");

deviceApi.openapi(
  createRoute({
    method: "post",
    path: "/device/code",
    tags: ["device"],
    summary: "Start a device login: get a device code and a user code",
    description:
      "Show the user `user_code` and `verification_uri`, then poll `/device/token` every `interval` seconds.",
    ...PUBLIC,
    request: {
      body: {
        required: false,
        content: { "application/json": { schema: deviceCodeRequestSchema.openapi("DeviceCodeRequest") } },
      },
    },
    responses: { 200: json(DeviceCodeSchema, "The code pair"), 400: problems[400] },
  }),
  async (c) => {
    const body = c.req.header("content-type") ? c.req.valid("json") : {};
    return c.json(await requestDeviceCode(c.get("forge").db, body, origin(c)), 200);
  },
);

deviceApi.openapi(
  createRoute({
    method: "post",
    path: "/device/token",
    tags: ["device"],
    summary: "Poll for the token of a device login",
    description:
      "Answers 400 with `error` = authorization_pending (keep polling), slow_down (add 5 s to the interval), expired_token, access_denied or invalid_grant until the login is approved; then the token, exactly once.",
    ...PUBLIC,
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: deviceTokenRequestSchema.openapi("DeviceTokenRequest") } },
      },
    },
    responses: {
      200: json(DeviceTokenSchema, "The token"),
      400: {
        description: "Not (yet) approved, or the code is unusable",
        content: { "application/problem+json": { schema: DeviceProblemSchema } },
      },
    },
  }),
  async (c) => {
    // Token responses must not be cached (RFC 6749 §5.1); errors go through the handler.
    const grant = await exchangeDeviceCode(c.get("forge").db, c.req.valid("json"), c.get("viewer").ip);
    c.header("Cache-Control", "no-store");
    return c.json(grant, 200);
  },
);

const decision = (action: "approve" | "deny") =>
  createRoute({
    method: "post",
    path: `/device/${action}`,
    tags: ["device"],
    summary:
      action === "approve"
        ? "Approve a device login (grants at most your credential's scopes)"
        : "Deny a device login",
    ...(action === "approve" ? PASSWORD : scoped("user")),
    request: { body: { required: true, content: { "application/json": { schema: UserCodeBody } } } },
    responses: {
      200: json(DeviceDecisionSchema, action === "approve" ? "Approved" : "Denied"),
      401: problems[401],
      403: problems[403],
      404: problems[404],
      429: problems[429],
    },
  });

/** Normalizes the user code after counting the attempt against the code-entry allowance. */
async function userCodeOf(c: Context<AppEnv>, raw: string) {
  requireUser(c);
  await countCodeAttempt(c.get("forge"), c.get("viewer"));
  return normalizeUserCode(raw) ?? "-";
}

deviceApi.openapi(decision("approve"), async (c) => {
  requireUser(c);
  // Like creating a token: a token must not mint others (they would outlive its revocation).
  if (c.get("authVia") === "token")
    throw forbidden("Approve device logins with your password (HTTP Basic) or from the web");
  const code = await userCodeOf(c, c.req.valid("json").user_code);
  return c.json(await approveDevice(c.get("forge").db, c.get("viewer"), code), 200);
});

deviceApi.openapi(decision("deny"), async (c) => {
  const code = await userCodeOf(c, c.req.valid("json").user_code);
  return c.json(await denyDevice(c.get("forge").db, c.get("viewer"), code), 200);
});
