// JSON API for personal and organization access tokens (a token may be limited to projects:
// tokens/project-tokens.ts). Creating one needs the account password (HTTP
// Basic) or the web session: a token cannot mint other tokens. Any token may list them
// (without secrets); revoking takes the user scope.
import { createRoute, z } from "@hono/zod-openapi";
import {
  apiRouter,
  json,
  jsonBody,
  PASSWORD,
  problems,
  requireUser,
  SIGNED_IN,
  scoped,
  TokenSchema,
} from "../api/openapi.ts";
import { getOrg } from "../orgs/orgs-service.ts";
import { createOrgToken, listOrgTokens, revokeOrgToken } from "./org-tokens.ts";
import { createToken, createTokenSchema, listTokens, revokeToken } from "./tokens-service.ts";

export const tokensApi = apiRouter();

tokensApi.openapi(
  createRoute({
    method: "post",
    path: "/tokens",
    tags: ["tokens"],
    summary: "Create a personal access token (shown once)",
    ...PASSWORD,
    request: { body: jsonBody(createTokenSchema.openapi("CreateTokenRequest")) },
    responses: {
      201: json(TokenSchema.extend({ token: z.string() }), "The token; its secret is never shown again"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
    },
  }),
  async (c) => {
    // PASSWORD refuses tokens before this runs: a token cannot mint others.
    const user = requireUser(c);
    return c.json(await createToken(c.get("forge").db, user, c.req.valid("json"), c.get("viewer")), 201);
  },
);

tokensApi.openapi(
  createRoute({
    method: "get",
    path: "/tokens",
    tags: ["tokens"],
    summary: "Your personal access tokens (without their secrets)",
    ...SIGNED_IN,
    responses: { 200: json(z.array(TokenSchema), "Tokens"), 401: problems[401] },
  }),
  async (c) => c.json(await listTokens(c.get("forge").db, requireUser(c).id), 200),
);

tokensApi.openapi(
  createRoute({
    method: "delete",
    path: "/tokens/{id}",
    tags: ["tokens"],
    summary: "Revoke a token",
    ...scoped("user", {
      note: "A token may always revoke itself.",
      holds: (c) => {
        const credential = c.get("viewer").credential;
        return credential?.kind === "token" && credential.id === c.req.param("id");
      },
    }),
    request: { params: z.object({ id: z.string().max(40) }) },
    responses: { 204: { description: "Revoked" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await revokeToken(c.get("forge").db, requireUser(c), c.req.valid("param").id, c.get("viewer"));
    return c.body(null, 204);
  },
);

// An organization's tokens (tokens/org-tokens.ts): made with an owner's password or web
// session, like personal ones; listed and revoked by its owners.
const OrgParams = z.object({ org: z.string().max(100) });
const OrgTokenSchema = TokenSchema.extend({ created_by: z.string() }).openapi("OrgToken");

tokensApi.openapi(
  createRoute({
    method: "post",
    path: "/orgs/{org}/tokens",
    tags: ["tokens"],
    summary: "Create a token for chosen projects of an organization (owners; shown once)",
    description:
      "The token acts as you, reaches only the named projects of the organization (`projects` is required), carries only project scopes, and stops working when you stop being an owner.",
    ...PASSWORD,
    request: {
      params: OrgParams,
      body: jsonBody(createTokenSchema.openapi("CreateTokenRequest")),
    },
    responses: {
      201: json(TokenSchema.extend({ token: z.string() }), "The token; its secret is never shown again"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const { db } = c.get("forge");
    const org = await getOrg(db, c.req.valid("param").org);
    const viewer = c.get("viewer");
    return c.json(await createOrgToken(db, viewer, org, c.req.valid("json"), viewer), 201);
  },
);

tokensApi.openapi(
  createRoute({
    method: "get",
    path: "/orgs/{org}/tokens",
    tags: ["tokens"],
    summary: "An organization's tokens (owners; without their secrets)",
    ...scoped("org:admin"),
    request: { params: OrgParams },
    responses: { 200: json(z.array(OrgTokenSchema), "Tokens"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const { db } = c.get("forge");
    const org = await getOrg(db, c.req.valid("param").org);
    return c.json(await listOrgTokens(db, c.get("viewer"), org), 200);
  },
);

tokensApi.openapi(
  createRoute({
    method: "delete",
    path: "/orgs/{org}/tokens/{id}",
    tags: ["tokens"],
    summary: "Revoke one of an organization's tokens (owners)",
    ...scoped("org:admin"),
    request: { params: OrgParams.extend({ id: z.string().max(40) }) },
    responses: { 204: { description: "Revoked" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const { db } = c.get("forge");
    const { org: handle, id } = c.req.valid("param");
    const org = await getOrg(db, handle);
    await revokeOrgToken(db, c.get("viewer"), org, id, c.get("viewer"));
    return c.body(null, 204);
  },
);
