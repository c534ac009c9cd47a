// JSON API for instance administrators. Everyone else is told these routes do not exist.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isAdmin } from "../accounts/viewer.ts";
import { AuditEntrySchema, apiRouter, json, problems, SECURED } from "../api/openapi.ts";
import { listAudit } from "../audit/audit.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";

export const adminApi = apiRouter();

export function requireAdmin(c: Context<AppEnv>) {
  if (!isAdmin(c.get("viewer"))) throw notFound();
}

adminApi.openapi(
  createRoute({
    method: "get",
    path: "/admin/audit",
    tags: ["admin"],
    summary: "The instance-wide audit log (administrators)",
    security: SECURED,
    request: {
      query: z.object({
        action: z.string().max(100).optional(),
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
    },
    responses: { 200: json(z.array(AuditEntrySchema), "Entries, newest first"), 404: problems[404] },
  }),
  async (c) => {
    requireAdmin(c);
    return c.json(await listAudit(c.get("forge").db, c.req.valid("query")), 200);
  },
);
