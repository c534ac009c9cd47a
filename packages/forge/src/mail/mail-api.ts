// JSON API for the account's email: change the address (needs the current password), ask
// for the verification link again, and request a password reset (the same 202 whether or
// not an account has the address). GET /api/v1/user reports `email_verified`.
import { createRoute, z } from "@hono/zod-openapi";
import { userJson } from "../accounts/accounts-service.ts";
import {
  apiRouter,
  json,
  jsonBody,
  PUBLIC,
  problems,
  requireUser,
  scoped,
  UserSchema,
} from "../api/openapi.ts";
import { consumeMailLimit } from "./mail-limits.ts";
import { forgotPasswordSchema, requestPasswordReset } from "./reset-service.ts";
import { changeEmail, changeEmailSchema, resendVerification } from "./verify-service.ts";

export const mailApi = apiRouter();

const Accepted = z.object({ message: z.string() }).openapi("Accepted");

mailApi.openapi(
  createRoute({
    method: "put",
    path: "/user/email",
    tags: ["accounts"],
    summary: "Change your email address (needs the current password; the new address must be verified)",
    ...scoped("user"),
    request: { body: jsonBody(changeEmailSchema.openapi("ChangeEmailRequest")) },
    responses: {
      200: json(UserSchema, "The account with its new, unverified address"),
      400: problems[400],
      401: problems[401],
      409: problems[409],
      429: problems[429],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const forge = c.get("forge");
    await consumeMailLimit(forge, "changePerUser", user.id);
    const updated = await changeEmail(forge.db, { user, ip: c.get("viewer").ip }, c.req.valid("json"));
    return c.json(userJson(updated, { private: true }), 200);
  },
);

mailApi.openapi(
  createRoute({
    method: "post",
    path: "/user/email/verification",
    tags: ["accounts"],
    summary: "Mail the verification link for your address again",
    ...scoped("user"),
    responses: {
      202: json(Accepted, "A new link is on its way"),
      401: problems[401],
      409: problems[409],
      429: problems[429],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const forge = c.get("forge");
    await consumeMailLimit(forge, "resendPerUser", user.id);
    await resendVerification(forge.db, user);
    return c.json({ message: `A new verification link is on its way to ${user.email}` }, 202);
  },
);

mailApi.openapi(
  createRoute({
    method: "post",
    path: "/password-reset",
    ...PUBLIC,
    tags: ["accounts"],
    summary: "Mail a password reset link to the account with this address, if there is one",
    request: { body: jsonBody(forgotPasswordSchema.openapi("PasswordResetRequest")) },
    responses: {
      202: json(Accepted, "The same answer whether or not an account has the address"),
      400: problems[400],
      429: problems[429],
    },
  }),
  async (c) => {
    const forge = c.get("forge");
    const ip = c.get("viewer").ip;
    const { email } = c.req.valid("json");
    await consumeMailLimit(forge, "resetPerIp", ip);
    await consumeMailLimit(forge, "resetPerAddress", email.toLowerCase());
    await requestPasswordReset(forge.db, email, ip);
    return c.json(
      { message: "If an account uses that address, a link to reset its password is on its way" },
      202,
    );
  },
);
