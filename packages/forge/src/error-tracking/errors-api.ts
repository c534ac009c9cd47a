// The error list for administrators: GET /api/v1/admin/errors (filters), one error with its
// stack and context, and resolve / mute / reopen. To everyone else these routes do not exist.
import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin } from "../admin/admin-api.ts";
import { apiRouter, json, problems, scoped } from "../api/openapi.ts";
import { recordAudit } from "../audit/audit.ts";
import { ERROR_KINDS, getError, listErrors, setErrorStatus } from "./error-store.ts";

export const errorsApi = apiRouter();

export const ErrorGroup = z
  .object({
    id: z.string(),
    kind: z.enum(ERROR_KINDS),
    severity: z.enum(["error", "fatal"]),
    name: z.string(),
    message: z.string(),
    stack: z.string().nullable(),
    context: z.record(z.string(), z.unknown()),
    count: z.number(),
    first_seen: z.string(),
    last_seen: z.string(),
    status: z.enum(["open", "resolved", "muted"]),
    resolved_at: z.string().nullable(),
  })
  .openapi("ErrorGroup");
export const ErrorFilter = z.object({
  status: z.enum(["open", "resolved", "muted"]).optional(),
  kind: z.enum(ERROR_KINDS).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  offset: z.coerce.number().int().min(0).max(100_000).optional(),
});
const Id = z.object({ id: z.string().max(64) });
const tags = ["admin"];

errorsApi.openapi(
  createRoute({
    method: "get",
    path: "/admin/errors",
    tags,
    summary: "Errors the forge met, one row per kind of error, most recent first (administrators)",
    ...scoped("admin"),
    request: { query: ErrorFilter },
    responses: { 200: json(z.array(ErrorGroup), "The errors"), 404: problems[404] },
  }),
  async (c) => {
    requireAdmin(c);
    return c.json((await listErrors(c.get("forge").db, c.req.valid("query"))) as never, 200);
  },
);

errorsApi.openapi(
  createRoute({
    method: "get",
    path: "/admin/errors/{id}",
    tags,
    summary: "One error with its stack trace and latest context (administrators)",
    ...scoped("admin"),
    request: { params: Id },
    responses: { 200: json(ErrorGroup, "The error"), 404: problems[404] },
  }),
  async (c) => {
    requireAdmin(c);
    return c.json((await getError(c.get("forge").db, c.req.valid("param").id)) as never, 200);
  },
);

for (const [action, status] of [
  ["resolve", "resolved"],
  ["mute", "muted"],
  ["reopen", "open"],
] as const) {
  errorsApi.openapi(
    createRoute({
      method: "post",
      path: `/admin/errors/{id}/${action}`,
      tags,
      summary:
        action === "resolve"
          ? "Mark an error resolved (it reopens, and mails again, if it happens again)"
          : action === "mute"
            ? "Mute an error: still counted, never mailed"
            : "Reopen an error",
      ...scoped("admin"),
      request: { params: Id },
      responses: { 200: json(ErrorGroup, "The error"), 404: problems[404] },
    }),
    async (c) => {
      requireAdmin(c);
      const db = c.get("forge").db;
      const id = c.req.valid("param").id;
      const updated = await setErrorStatus(db, id, status);
      await recordAudit(db, c.get("viewer"), {
        action: `admin.error_${action}`,
        targetType: "error",
        targetId: id,
        target: updated.message.slice(0, 100),
      });
      return c.json(updated as never, 200);
    },
  );
}
