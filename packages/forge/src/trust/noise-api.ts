// JSON API of a project's noise metrics: each metric's current value next to the threshold at
// which the agents' circuit breaker trips (anyone who may read the project), and the
// thresholds (project administrators; audited). See noise.ts.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { getNoise, noiseSchema, setNoiseAs } from "./noise.ts";

export const noiseApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const Noise = z.record(z.string(), z.unknown()).openapi("AgentNoise");

noiseApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/agents/noise",
    ...PUBLIC,
    tags: ["agents"],
    summary: "The project's noise metrics and the circuit breaker's thresholds",
    description:
      "metrics: [{metric, label, value, threshold (null = off)}] for validation_failures_per_hour (the project's circuit_max_failures), rejections_per_day, duplicates_per_hour, sessions_per_hour and cascade_percent (with sessions and min_sessions); paused (at, by, reason) and last_trip (metric, value, threshold, reason, at) of the breaker.",
    request: { params: P },
    responses: { 200: json(Noise, "The noise metrics"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    return c.json(await getNoise(c.get("forge").db, c.get("viewer"), owner, project), 200);
  },
);

noiseApi.openapi(
  createRoute({
    method: "put",
    path: "/projects/{owner}/{project}/agents/noise",
    ...scoped("project:write"),
    tags: ["agents"],
    summary: "Set the noise thresholds of the circuit breaker (project administrators; audited)",
    description:
      "Any of rejections_per_day, duplicates_per_hour, sessions_per_hour, cascade_percent: a positive integer, or null to turn the metric off; absent keys stay as they are. When a metric reaches its threshold the breaker pauses agents' contributions until a maintainer resumes them.",
    request: { params: P, body: jsonBody(noiseSchema.openapi("AgentNoiseThresholds")) },
    responses: {
      200: json(Noise, "The noise metrics"),
      400: problems[400],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    return c.json(
      await setNoiseAs(c.get("forge").db, c.get("viewer"), owner, project, c.req.valid("json")),
      200,
    );
  },
);
