// JSON API for organizations and their memberships.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isAdmin } from "../accounts/viewer.ts";
import {
  apiRouter,
  json,
  jsonBody,
  MemberSchema,
  OrgSchema,
  PUBLIC,
  problems,
  requireUser,
  scoped,
} from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import {
  createOrg,
  createOrgSchema,
  getOrg,
  listMembers,
  orgJson,
  putMember,
  removeMember,
} from "./orgs-service.ts";

export const orgsApi = apiRouter();

/** The organization, hidden (404) while suspended from all but administrators, like a profile. */
async function visibleOrg(c: Context<AppEnv>, handle: string) {
  const org = await getOrg(c.get("forge").db, handle);
  if (org.suspended_at && !isAdmin(c.get("viewer"))) throw notFound(`No organization named ${handle}`);
  return org;
}
const orgParam = z.object({ org: z.string().max(100) });

orgsApi.openapi(
  createRoute({
    method: "post",
    path: "/orgs",
    tags: ["organizations"],
    summary: "Create an organization; you become its owner",
    ...scoped("org:admin"),
    request: { body: jsonBody(createOrgSchema.openapi("CreateOrgRequest")) },
    responses: {
      201: json(OrgSchema, "The organization"),
      400: problems[400],
      401: problems[401],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const org = await createOrg(c.get("forge").db, c.get("viewer"), c.req.valid("json"));
    return c.json(orgJson(org, 1), 201);
  },
);

orgsApi.openapi(
  createRoute({
    method: "get",
    path: "/orgs/{org}",
    ...PUBLIC,
    tags: ["organizations"],
    summary: "An organization",
    request: { params: orgParam },
    responses: { 200: json(OrgSchema, "The organization"), 404: problems[404] },
  }),
  async (c) => {
    const db = c.get("forge").db;
    const org = await visibleOrg(c, c.req.valid("param").org);
    return c.json(orgJson(org, (await listMembers(db, org.id)).length), 200);
  },
);

orgsApi.openapi(
  createRoute({
    method: "get",
    path: "/orgs/{org}/members",
    ...PUBLIC,
    tags: ["organizations"],
    summary: "Members of an organization",
    request: { params: orgParam },
    responses: { 200: json(z.array(MemberSchema), "Members"), 404: problems[404] },
  }),
  async (c) => {
    const db = c.get("forge").db;
    const org = await visibleOrg(c, c.req.valid("param").org);
    return c.json(await listMembers(db, org.id), 200);
  },
);

orgsApi.openapi(
  createRoute({
    method: "put",
    path: "/orgs/{org}/members/{user}",
    tags: ["organizations"],
    summary: "Add a member or change their role (organization owners)",
    ...scoped("org:admin"),
    request: {
      params: orgParam.extend({ user: z.string().max(100) }),
      body: jsonBody(z.object({ role: z.enum(["owner", "member"]) }).openapi("MemberRoleRequest")),
    },
    responses: {
      200: json(MemberSchema, "The membership"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const db = c.get("forge").db;
    const { org: handle, user } = c.req.valid("param");
    const org = await getOrg(db, handle);
    return c.json(await putMember(db, c.get("viewer"), org, { user, role: c.req.valid("json").role }), 200);
  },
);

orgsApi.openapi(
  createRoute({
    method: "delete",
    path: "/orgs/{org}/members/{user}",
    tags: ["organizations"],
    summary: "Remove a member (organization owners, or the member themself)",
    ...scoped("org:admin"),
    request: { params: orgParam.extend({ user: z.string().max(100) }) },
    responses: {
      204: { description: "Removed" },
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const db = c.get("forge").db;
    const { org: handle, user } = c.req.valid("param");
    await removeMember(db, c.get("forge").repos, c.get("viewer"), await getOrg(db, handle), user);
    return c.body(null, 204);
  },
);
