// JSON API of the administrators' review queue: the flagged accounts with why they were
// flagged, and the decisions (dismiss, suspend). 404 to everyone but administrators.
import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin } from "../admin/admin-api.ts";
import { apiRouter, json, problems, scoped } from "../api/openapi.ts";
import { suspendFromReview } from "./review-decisions.ts";
import { dismissReview, listReview, REVIEW_STATES } from "./review-store.ts";

export const reviewApi = apiRouter();
const tags = ["admin"];

export const ReviewEntrySchema = z
  .object({
    id: z.string(),
    account: z.string(),
    account_suspended: z.boolean(),
    signal: z.string().describe("signups_per_ip, projects_per_hour, link_heavy or failed_pushes"),
    explanation: z.string().describe("Why: the signal, the numbers and the threshold"),
    data: z.record(z.string(), z.unknown()),
    state: z.enum(REVIEW_STATES),
    created_at: z.string(),
    resolved_at: z.string().nullable(),
    resolved_by: z.string().nullable(),
  })
  .openapi("ReviewEntry");

const Reason = {
  required: false,
  content: { "application/json": { schema: z.object({ reason: z.string().max(500).optional() }) } },
};
const Id = z.object({ id: z.string().max(40) });

reviewApi.openapi(
  createRoute({
    method: "get",
    path: "/admin/review",
    tags,
    summary: "The review queue: accounts flagged by abuse signals, newest first (administrators)",
    ...scoped("admin"),
    request: {
      query: z.object({
        state: z.enum(REVIEW_STATES).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
    },
    responses: { 200: json(z.array(ReviewEntrySchema), "Entries"), 404: problems[404] },
  }),
  async (c) => {
    requireAdmin(c);
    return c.json((await listReview(c.get("forge").db, c.req.valid("query"))) as never, 200);
  },
);

reviewApi.openapi(
  createRoute({
    method: "post",
    path: "/admin/review/{id}/dismiss",
    tags,
    summary: "Dismiss a review entry: the account stays as it is",
    ...scoped("admin"),
    request: { params: Id, body: Reason },
    responses: { 204: { description: "Dismissed" }, 404: problems[404], 409: problems[409] },
  }),
  async (c) => {
    requireAdmin(c);
    const body = c.req.valid("json") as { reason?: string };
    await dismissReview(c.get("forge").db, c.get("viewer"), c.req.valid("param").id, body.reason ?? "");
    return c.body(null, 204);
  },
);

reviewApi.openapi(
  createRoute({
    method: "post",
    path: "/admin/review/{id}/suspend",
    tags,
    summary: "Suspend the flagged account; settles all its open entries",
    ...scoped("admin"),
    request: { params: Id, body: Reason },
    responses: {
      204: { description: "Suspended" },
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireAdmin(c);
    const body = c.req.valid("json") as { reason?: string };
    await suspendFromReview(c.get("forge").db, c.get("viewer"), c.req.valid("param").id, body.reason ?? "");
    return c.body(null, 204);
  },
);
