// JSON API of a project's agent policy: read it (anyone who may read the project: the
// limits an agent meets are no secret), change it (administrators, audited), an agent's
// standing (tier, quotas used, waits, checkpoints left), and trusted introducers' vouches.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { getProject } from "../projects/projects-service.ts";
import { loadPolicy, policyJson, policyUpdateSchema, updatePolicyAs } from "./agent-policy.ts";
import { standingFor } from "./agent-standing.ts";
import { listVouches, vouchAs, vouchSchema, withdrawVouchAs } from "./vouches.ts";

export const agentPolicyApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const PA = P.extend({ name: z.string().min(1).max(100) });
const Policy = z.record(z.string(), z.unknown()).openapi("AgentPolicy");
const Standing = z.record(z.string(), z.unknown()).openapi("AgentStanding");
const Vouch = z.record(z.string(), z.unknown()).openapi("AgentVouch");

agentPolicyApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/agent-policy",
    ...PUBLIC,
    tags: ["agents"],
    summary: "The project's trust policy for agents",
    description:
      "strictness (off, lenient, standard, strict) and the resolved numbers: checkpoints, cascade_approval, introducer_min_landings, tiers (small/large: min_passed, max_lines, max_files; auto: min_passed, min_reputation), quotas per tier (day, week; null = no limit), backoff (after_failures, base_minutes, max_minutes; null = off), cooling_off_minutes, duplicates (prompt_similarity, diff_similarity, window_days; null = off); `overrides` (what the maintainers changed) and every preset.",
    request: { params: P },
    responses: { 200: json(Policy, "The policy"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    return c.json(policyJson(await loadPolicy(c.get("forge").db, p.id)), 200);
  },
);

agentPolicyApi.openapi(
  createRoute({
    method: "put",
    path: "/projects/{owner}/{project}/agent-policy",
    ...scoped("project:write"),
    tags: ["agents"],
    summary: "Change the project's agent policy (project administrators; audited)",
    description:
      "Give `strictness` to pick a preset and any part of the policy to override its numbers (nested objects change only the keys given; null turns a limit off). `reset: true` drops every earlier override first.",
    request: { params: P, body: jsonBody(policyUpdateSchema) },
    responses: {
      200: json(Policy, "The policy"),
      400: problems[400],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    const p = await updatePolicyAs(c.get("forge").db, c.get("viewer"), owner, project, c.req.valid("json"));
    return c.json(policyJson(p), 200);
  },
);

agentPolicyApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/agents/{name}/standing",
    ...PUBLIC,
    tags: ["agents"],
    summary: "An agent's standing in the project under its policy",
    description:
      "The agent is an account and an agent name (`account`, default: you). tier and earned_tier, vouch, sessions, passed_validations, landed, reputation in the project, next_tier and what it needs, limits of the tier, quota used and when a slot frees up, failure_streak, backoff_until, cooling_off_until, checkpoints_remaining.",
    request: { params: PA, query: z.object({ account: z.string().max(39).optional() }) },
    responses: { 200: json(Standing, "The standing"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project, name } = c.req.valid("param");
    const { account } = c.req.valid("query");
    return c.json(await standingFor(c.get("forge").db, c.get("viewer"), owner, project, name, account), 200);
  },
);

agentPolicyApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/agents/vouches",
    ...PUBLIC,
    tags: ["agents"],
    summary: "Agents that trusted members vouched for",
    request: { params: P },
    responses: { 200: json(z.object({ items: z.array(Vouch) }), "The vouches"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    return c.json({ items: await listVouches(c.get("forge").db, c.get("viewer"), owner, project) }, 200);
  },
);

agentPolicyApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/agents/{name}/vouch",
    ...scoped("project:write"),
    tags: ["agents"],
    summary: "Vouch for an agent (trusted introducer; audited)",
    description:
      "A project administrator, or a writer with at least the policy's introducer_min_landings landed sessions of their own, vouches for the agent `name` of `account`: its human checkpoints are waived and it starts at least at `tier` (small, large or auto; default small).",
    request: { params: PA, body: jsonBody(vouchSchema) },
    responses: { 201: json(Vouch, "The vouch"), 400: problems[400], 403: problems[403], 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, name } = c.req.valid("param");
    return c.json(
      await vouchAs(c.get("forge").db, c.get("viewer"), owner, project, name, c.req.valid("json")),
      201,
    );
  },
);

agentPolicyApi.openapi(
  createRoute({
    method: "delete",
    path: "/projects/{owner}/{project}/agents/{name}/vouch",
    ...scoped("project:write"),
    tags: ["agents"],
    summary: "Withdraw a vouch (a project administrator or the member who gave it; audited)",
    request: { params: PA, query: z.object({ account: z.string().min(1).max(39) }) },
    responses: { 204: { description: "Withdrawn" }, 403: problems[403], 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, name } = c.req.valid("param");
    await withdrawVouchAs(
      c.get("forge").db,
      c.get("viewer"),
      owner,
      project,
      name,
      c.req.valid("query").account,
    );
    return c.body(null, 204);
  },
);
