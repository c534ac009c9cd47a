// JSON API for accounts: scriptable sign-up, the current user, public user profiles.
import { createRoute, z } from "@hono/zod-openapi";
import { noteSignup, noticing } from "../abuse/abuse-service.ts";
import { registrationGate } from "../admin/registration.ts";
import {
  apiRouter,
  json,
  jsonBody,
  PUBLIC,
  problems,
  requireUser,
  SIGNED_IN,
  UserSchema,
} from "../api/openapi.ts";
import { listOrgsOf, orgJson } from "../orgs/orgs-service.ts";
import { getVisibleAccount, signupSchema, userJson } from "./accounts-service.ts";
import { signup, signupOptions, VERIFICATION_SENT_DETAIL } from "./signup-service.ts";

export const accountsApi = apiRouter();

const SignupPendingSchema = z
  .object({
    status: z.literal("verification_sent"),
    email: z.string().openapi({ description: "The address as given" }),
    detail: z.string(),
  })
  .openapi("SignupPending");

accountsApi.openapi(
  createRoute({
    method: "post",
    path: "/signup",
    ...PUBLIC,
    tags: ["accounts"],
    summary:
      "Create an account (the first account becomes the administrator); needs `invite` when registration is invite-only",
    description:
      "When the forge sends mail, sign-up is verification-first: 202 for every address, new or registered (a registered address gets no account and its owner a notice); the new account signs in once its address is verified through the mailed link. Without mail, and for the first account: 201 with the account, and 409 for a registered address.",
    request: { body: jsonBody(signupSchema.openapi("SignupRequest")) },
    responses: {
      201: json(UserSchema, "The new account (no mail configured, or the first account)"),
      202: json(SignupPendingSchema, "Verification mail sent; the same for a new and a registered address"),
      400: problems[400],
      403: problems[403],
      409: problems[409],
    },
  }),
  async (c) => {
    const forge = c.get("forge");
    const body = c.req.valid("json");
    const ip = c.get("viewer").ip;
    const done = await signup(
      forge.db,
      body,
      ip,
      signupOptions(forge, registrationGate(forge.config, body.invite)),
    );
    if (done.account)
      await noticing(c.get("log"), noteSignup(forge.db, forge.config.abuse, done.account, ip));
    if (done.kind === "created") return c.json(userJson(done.account, { private: true }), 201);
    return c.json(
      { status: "verification_sent" as const, email: done.email, detail: VERIFICATION_SENT_DETAIL },
      202,
    );
  },
);

accountsApi.openapi(
  createRoute({
    method: "get",
    path: "/user",
    tags: ["accounts"],
    summary: "The authenticated user",
    ...SIGNED_IN,
    responses: { 200: json(UserSchema, "The authenticated user"), 401: problems[401] },
  }),
  (c) => c.json(userJson(requireUser(c), { private: true }), 200),
);

accountsApi.openapi(
  createRoute({
    method: "get",
    path: "/user/orgs",
    tags: ["organizations"],
    summary: "Organizations the authenticated user belongs to",
    ...SIGNED_IN,
    responses: {
      200: json(
        z.array(z.object({ organization: z.any(), role: z.enum(["owner", "member"]) })),
        "Memberships",
      ),
      401: problems[401],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const orgs = await listOrgsOf(c.get("forge").db, user.id);
    return c.json(
      orgs.map(({ role, ...o }) => ({ organization: orgJson(o), role })),
      200,
    );
  },
);

accountsApi.openapi(
  createRoute({
    method: "get",
    path: "/users/{handle}",
    ...PUBLIC,
    tags: ["accounts"],
    summary: "A user or organization by handle",
    request: { params: z.object({ handle: z.string().max(100) }) },
    responses: { 200: json(UserSchema, "The account"), 404: problems[404] },
  }),
  async (c) => {
    const account = await getVisibleAccount(c.get("forge").db, c.get("viewer"), c.req.valid("param").handle);
    return c.json(userJson(account), 200);
  },
);
