// JSON API for administrators to set an account's project limit:
// PATCH /api/v1/admin/users/{handle} {"project_limit": N} (null: back to the instance
// default). Everyone else is told the route does not exist (404).
import { createRoute, z } from "@hono/zod-openapi";
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import { requireAdmin } from "../admin/admin-api.ts";
import { Handle } from "../admin/admin-schemas.ts";
import { apiRouter, json, jsonBody, problems, scoped } from "../api/openapi.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { countOwnedProjects, effectiveLimit, setProjectLimit } from "./project-limit.ts";

export const limitsApi = apiRouter();

export const ProjectLimitSchema = z
  .object({
    handle: z.string(),
    project_limit: z.number().int().nullable().describe("The account's own limit; null: the default"),
    effective_limit: z.number().int().describe("The limit in force"),
    default_limit: z.number().int().describe("The instance default (MICELIO_PROJECT_LIMIT)"),
    projects: z.number().int().describe("Projects the account owns now"),
  })
  .openapi("AccountLimits");

export async function limitsJson(db: Db, account: Account, defaultLimit: number) {
  return {
    handle: account.handle,
    project_limit: account.project_limit,
    effective_limit: effectiveLimit(account, defaultLimit),
    default_limit: defaultLimit,
    projects: await countOwnedProjects(db, account.id),
  };
}

limitsApi.openapi(
  createRoute({
    method: "patch",
    path: "/admin/users/{handle}",
    tags: ["admin"],
    summary: "Change an account's limits: project_limit (null resets it to the instance default)",
    ...scoped("admin"),
    request: {
      params: Handle,
      body: jsonBody(z.object({ project_limit: z.number().int().min(0).max(1_000_000).nullable() }).strict()),
    },
    responses: {
      200: json(ProjectLimitSchema, "The account's limits"),
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    requireAdmin(c);
    const forge = c.get("forge");
    const account = await getAccountByHandle(forge.db, c.req.valid("param").handle);
    const updated = await setProjectLimit(
      forge.db,
      c.get("viewer"),
      account,
      c.req.valid("json").project_limit,
    );
    return c.json(await limitsJson(forge.db, updated, forge.config.projectLimit), 200);
  },
);
