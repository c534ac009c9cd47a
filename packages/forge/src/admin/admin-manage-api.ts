// JSON API for instance administration: overview, accounts (suspend, administrator role),
// projects (transfer, delete), registration mode and invites. Administrators acting with the
// admin scope only; to everyone else these routes do not exist (404).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, jsonBody, problems, scoped } from "../api/openapi.ts";
import type { AppEnv } from "../http/context.ts";
import { requireAdmin } from "./admin-api.ts";
import {
  AdminAccountSchema,
  AdminProjectSchema,
  Handle,
  InviteSchema,
  inviteUrl,
  OverviewSchema,
  OwnerProject,
  RegistrationSchema,
  Search,
  tags,
} from "./admin-schemas.ts";
import {
  adminAccountJson,
  adminDeleteProject,
  adminProjectJson,
  searchAccounts,
  searchProjects,
  setAdministrator,
  suspendAccount,
  transferProject,
  unsuspendAccount,
} from "./admin-service.ts";
import { instanceOverview } from "./overview.ts";
import {
  createInvite,
  inviteJson,
  inviteSchema,
  listInvites,
  modeSchema,
  registrationMode,
  revokeInvite,
  setRegistrationMode,
} from "./registration.ts";

export const adminManageApi = apiRouter();

const admin = (c: Context<AppEnv>) => {
  requireAdmin(c);
  return { db: c.get("forge").db, viewer: c.get("viewer") };
};

const route = <P extends string, M extends "get" | "post" | "put" | "delete">(
  method: M,
  path: P,
  summary: string,
) => ({ method, path, tags, summary, ...scoped("admin") });

adminManageApi.openapi(
  createRoute({
    ...route(
      "get",
      "/admin/overview",
      "Instance overview: accounts, projects, disk use, jobs, recent errors",
    ),
    responses: { 200: json(OverviewSchema, "The overview"), 404: problems[404] },
  }),
  async (c) => {
    const { db } = admin(c);
    return c.json(await instanceOverview(db, c.get("forge").repos.root), 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("get", "/admin/users", "Search accounts (users and organizations) by handle, name or email"),
    request: { query: Search },
    responses: { 200: json(z.array(AdminAccountSchema), "Accounts by handle"), 404: problems[404] },
  }),
  async (c) => {
    const { db } = admin(c);
    return c.json((await searchAccounts(db, c.req.valid("query"))).map(adminAccountJson), 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route(
      "post",
      "/admin/users/{handle}/suspend",
      "Suspend an account: no sign-in, tokens refused, projects hidden",
    ),
    request: {
      params: Handle,
      body: {
        required: false,
        content: { "application/json": { schema: z.object({ reason: z.string().max(500).optional() }) } },
      },
    },
    responses: {
      200: json(AdminAccountSchema, "The suspended account"),
      400: problems[400],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    const body = c.req.valid("json") as { reason?: string };
    const account = await suspendAccount(db, viewer, c.req.valid("param").handle, body.reason ?? "");
    return c.json(adminAccountJson(account), 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("post", "/admin/users/{handle}/unsuspend", "Lift an account's suspension"),
    request: { params: Handle },
    responses: { 200: json(AdminAccountSchema, "The account"), 404: problems[404] },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    return c.json(adminAccountJson(await unsuspendAccount(db, viewer, c.req.valid("param").handle)), 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("post", "/admin/users/{handle}/admin", "Make a user an administrator"),
    request: { params: Handle },
    responses: { 200: json(AdminAccountSchema, "The account"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    return c.json(
      adminAccountJson(await setAdministrator(db, viewer, c.req.valid("param").handle, true)),
      200,
    );
  },
);

adminManageApi.openapi(
  createRoute({
    ...route(
      "delete",
      "/admin/users/{handle}/admin",
      "Revoke a user's administrator role (never the last one)",
    ),
    request: { params: Handle },
    responses: {
      200: json(AdminAccountSchema, "The account"),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    return c.json(
      adminAccountJson(await setAdministrator(db, viewer, c.req.valid("param").handle, false)),
      200,
    );
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("get", "/admin/projects", "Search all projects by owner, handle or name"),
    request: { query: Search },
    responses: { 200: json(z.array(AdminProjectSchema), "Projects by full name"), 404: problems[404] },
  }),
  async (c) => {
    const { db } = admin(c);
    return c.json((await searchProjects(db, c.req.valid("query"))).map(adminProjectJson), 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route(
      "post",
      "/admin/projects/{owner}/{project}/transfer",
      "Transfer a project to another user or organization",
    ),
    request: { params: OwnerProject, body: jsonBody(z.object({ owner: z.string().min(1).max(100) })) },
    responses: {
      200: json(
        z.object({ full_name: z.string(), owner: z.string(), handle: z.string() }),
        "The moved project",
      ),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    const { owner, project } = c.req.valid("param");
    const p = await transferProject(db, viewer, owner, project, c.req.valid("json").owner);
    return c.json(
      { full_name: `${p.owner_handle}/${p.handle}`, owner: p.owner_handle, handle: p.handle },
      200,
    );
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("delete", "/admin/projects/{owner}/{project}", "Delete a project and its repository"),
    request: { params: OwnerProject },
    responses: { 204: { description: "Deleted" }, 404: problems[404] },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    const { owner, project } = c.req.valid("param");
    await adminDeleteProject(db, c.get("forge").repos, viewer, owner, project);
    return c.body(null, 204);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("get", "/admin/registration", "The registration mode: open, invite-only or closed"),
    responses: { 200: json(RegistrationSchema, "The current mode"), 404: problems[404] },
  }),
  async (c) => {
    const { db } = admin(c);
    return c.json({ mode: await registrationMode(db, c.get("forge").config) }, 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("put", "/admin/registration", "Change the registration mode"),
    request: { body: jsonBody(modeSchema) },
    responses: { 200: json(RegistrationSchema, "The new mode"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    return c.json(
      { mode: await setRegistrationMode(db, viewer, c.get("forge").config, c.req.valid("json")) },
      200,
    );
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("post", "/admin/invites", "Create a single-use invite link (shown once)"),
    request: {
      body: {
        required: false,
        content: { "application/json": { schema: inviteSchema.partial() } },
      },
    },
    responses: {
      201: json(
        z.object({ id: z.string(), url: z.string(), token: z.string(), expires_at: z.string() }),
        "The invite; the token is not shown again",
      ),
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    const { invite, token } = await createInvite(db, viewer, c.req.valid("json"));
    return c.json(
      { id: invite.id, url: inviteUrl(c, token), token, expires_at: invite.expires_at.toISOString() },
      201,
    );
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("get", "/admin/invites", "Invites, newest first, with their state"),
    responses: { 200: json(z.array(InviteSchema), "Invites"), 404: problems[404] },
  }),
  async (c) => {
    const { db } = admin(c);
    return c.json((await listInvites(db)).map(inviteJson), 200);
  },
);

adminManageApi.openapi(
  createRoute({
    ...route("delete", "/admin/invites/{id}", "Revoke an invite"),
    request: { params: z.object({ id: z.string().max(40) }) },
    responses: { 204: { description: "Revoked" }, 404: problems[404] },
  }),
  async (c) => {
    const { db, viewer } = admin(c);
    await revokeInvite(db, viewer, c.req.valid("param").id);
    return c.body(null, 204);
  },
);
