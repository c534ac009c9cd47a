// JSON API of a project's maintainer attention budget (read by readers, set by administrators,
// audited) with its capacity and cost accounting, and batch review of the review queue.
// Registered before the sessions router: /sessions/review-batch is not a session id.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { getProject } from "../projects/projects-service.ts";
import { batchDecisionSchema, batchJson, decideBatch, reviewBatch } from "./review-batch.ts";
import { budgetReport, budgetUpdateSchema, updateBudgetAs, WEEKS_DEFAULT } from "./review-budget.ts";

export const reviewBudgetApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const Budget = z.record(z.string(), z.unknown()).openapi("ReviewBudget");
const Batch = z.record(z.string(), z.unknown()).openapi("ReviewBatch");
const tags = ["reviews"];

reviewBudgetApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/review-budget",
    ...PUBLIC,
    tags,
    summary: "The maintainers' weekly review budget, the queue's capacity and the cost accounting",
    description:
      "minutes_per_week (null: no budget), base_minutes and lines_per_minute (a review is estimated at base_minutes + changed lines / lines_per_minute); capacity: spent_this_week (Monday 00:00 UTC on), remaining_minutes, queue_sessions and queue_minutes (estimated), incoming_minutes_per_week (estimated minutes of sessions that entered the queue in the last 7 days), over_capacity and reasons; accounting over `weeks` weeks: per session generate_minutes (declared execution_ms, else opened → submitted) and generate_source, review_minutes (review requested → a person's decision), review_estimate_minutes, review_spent_minutes (the smaller), and totals by_week, by_agent and by_model. See docs/trust.md.",
    request: {
      params: P,
      query: z.object({ weeks: z.coerce.number().int().min(1).max(52).optional() }),
    },
    responses: { 200: json(Budget, "The budget"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    return c.json(await budgetReport(c.get("forge").db, p, c.req.valid("query").weeks ?? WEEKS_DEFAULT), 200);
  },
);

reviewBudgetApi.openapi(
  createRoute({
    method: "put",
    path: "/projects/{owner}/{project}/review-budget",
    ...scoped("project:write"),
    tags,
    summary: "Set the weekly review budget (project administrators; audited)",
    description:
      "Any of minutes_per_week (0-10080, null for none), base_minutes, lines_per_minute; audited as project.review_budget_update with the settings before and after.",
    request: { params: P, body: jsonBody(budgetUpdateSchema) },
    responses: {
      200: json(Budget, "The budget"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    const db = c.get("forge").db;
    const p = await updateBudgetAs(db, c.get("viewer"), owner, project, c.req.valid("json"));
    return c.json(await budgetReport(db, p), 200);
  },
);

reviewBudgetApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/review-batch",
    ...scoped("project:read"),
    tags,
    summary: "The review queue grouped by similarity, for batch review",
    description:
      "groups: [{id, label, reasons, estimate_minutes, sessions: [session with review_estimate_minutes and files]}]. Sessions of the same agent whose goals start alike or that touch the same directories, and sessions whose changes are near-duplicates (MinHash ≥ 0.5), share a group. capacity as in GET …/review-budget.",
    request: { params: P },
    responses: { 200: json(Batch, "The groups"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    return c.json(batchJson(await reviewBatch(c.get("forge"), c.get("viewer"), owner, project)), 200);
  },
);

reviewBudgetApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/review-batch",
    ...scoped("project:write"),
    tags,
    summary: "Approve (and optionally land) or reject several sessions at once (project administrators)",
    description:
      "{sessions: [id …] (at most 50), decision: approve | reject, reason?, land?}. Each session is decided as by its own approve, reject or land call, and audited (session.approve, session.reject, session.land with batch: true); results lists each one's outcome ({id, ok, status, landed_position?, error?: {type, status, detail}}) and one failure does not undo the others. A token needs session:write too, as each decision on its own does.",
    request: { params: P, body: jsonBody(batchDecisionSchema) },
    responses: {
      200: json(
        z.object({
          decided: z.number(),
          failed: z.number(),
          results: z.array(z.record(z.string(), z.unknown())),
        }),
        "What happened to each session",
      ),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    return c.json(
      await decideBatch(c.get("forge"), c.get("viewer"), owner, project, c.req.valid("json")),
      200,
    );
  },
);
