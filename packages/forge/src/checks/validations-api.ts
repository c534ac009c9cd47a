// JSON API of validations: a session's runs (newest first, each with its steps, scores and
// log excerpts) and a step's whole log. Readable by whoever may read the session.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, PUBLIC, problems } from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import { getSession } from "../sessions/sessions-service.ts";
import { storeFor } from "../storage/store-for.ts";
import { sessionValidationsAs } from "./validation-gate.ts";
import { getRun } from "./validation-store.ts";

export const validationsApi = apiRouter();
const S = z.object({ owner: z.string().max(100), project: z.string().max(200), id: z.string().max(40) });
const tags = ["sessions"];
const Validation = z.record(z.string(), z.unknown()).openapi("Validation");

validationsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/validations",
    ...PUBLIC,
    tags,
    summary: "The session's validation runs, newest first",
    description:
      "Each run: status (running, passed, failed, error), score and min_score, category_scores, shortfalls, iteration, and its steps (status, exit_code, killed, duration_ms, cpu_ms, peak_memory, metrics (`::metric` lines the step printed), baseline (a performance step's {metric, direction, tolerance, value, baseline, change, regressed}), coverage and coverage_delta (percent, and its change from trunk's last value), log_excerpt, log_url). Runs come from the project's .micelio/checks.yml on trunk.",
    request: { params: S },
    responses: {
      200: json(z.object({ validations: z.array(Validation) }), "The runs"),
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    return c.json(await sessionValidationsAs(c.get("forge"), c.get("viewer"), owner, project, id), 200);
  },
);

validationsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/validations/{run}/steps/{seq}/log",
    ...PUBLIC,
    tags,
    summary: "The whole log of one validation step (text/plain)",
    request: { params: S.extend({ run: z.string().max(40), seq: z.string().regex(/^\d{1,4}$/) }) },
    responses: {
      200: { description: "The log", content: { "text/plain": { schema: z.string() } } },
      404: problems[404],
    },
  }),
  async (c) => {
    const params = c.req.valid("param");
    const forge = c.get("forge");
    const { project, session } = await getSession(
      forge.db,
      c.get("viewer"),
      params.owner,
      params.project,
      params.id,
    );
    const run = await getRun(forge.db, params.run);
    const step =
      run?.session_id === session.id ? run.steps.find((s) => s.seq === Number(params.seq)) : undefined;
    const log = step?.log_key ? await (await storeFor(forge, project.owner_id)).get(step.log_key) : null;
    if (!log) throw notFound("No log for this step");
    return c.text(log.toString("utf8"), 200);
  },
);
