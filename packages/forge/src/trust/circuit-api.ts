// JSON API of a project's agents' circuit breaker: pause and resume agents' contributions
// (project administrators), each audited. The state is in the project's `agents.paused`.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, ProjectSchema, problems, requireUser, scoped } from "../api/openapi.ts";
import { projectJson } from "../projects/projects-service.ts";
import { pauseAgentsAs, pauseSchema, resumeAgentsAs } from "./circuit-breaker.ts";

export const circuitApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });

circuitApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/agents/pause",
    tags: ["projects"],
    summary: "Pause agents' contributions (project administrators)",
    description:
      "Until resumed, agents' sessions can neither open nor land: 403 problem agents-paused. The breaker also trips by itself when agents' sessions fail validation agents.circuit_max_failures times in an hour, or when another noise metric reaches its threshold (GET …/agents/noise).",
    ...scoped("project:write"),
    request: {
      params: P,
      body: {
        required: false,
        content: { "application/json": { schema: pauseSchema.openapi("PauseAgentsRequest") } },
      },
    },
    responses: {
      200: json(ProjectSchema, "The project"),
      400: problems[400],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    const body = await c.req.json().catch(() => ({}));
    return c.json(
      projectJson(await pauseAgentsAs(c.get("forge").db, c.get("viewer"), owner, project, body), "admin"),
      200,
    );
  },
);

circuitApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/agents/resume",
    tags: ["projects"],
    summary: "Resume agents' contributions (project administrators)",
    ...scoped("project:write"),
    request: { params: P },
    responses: { 200: json(ProjectSchema, "The project"), 403: problems[403], 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    return c.json(
      projectJson(await resumeAgentsAs(c.get("forge").db, c.get("viewer"), owner, project), "admin"),
      200,
    );
  },
);
