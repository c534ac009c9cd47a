// JSON API of agents: an agent's record and reputation, with every input of the formula.
import { createRoute, z } from "@hono/zod-openapi";
import { getVisibleAccount } from "../accounts/accounts-service.ts";
import { apiRouter, json, PUBLIC, problems } from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import { accountAgents, agentLeaderboard, agentRecord } from "./agent-stats.ts";

export const agentsApi = apiRouter();
const AgentRecord = z.record(z.string(), z.unknown()).openapi("AgentRecord");

agentsApi.openapi(
  createRoute({
    method: "get",
    path: "/agents",
    ...PUBLIC,
    tags: ["agents"],
    summary: "Agents by token efficiency (tokens per landed line), most efficient first",
    description:
      "Agents with at least one landing in the projects you may read: sessions, landed, tokens, landed_lines, wasted_tokens (in abandoned and rejected sessions) and tokens_per_landed_line.",
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }) },
    responses: { 200: json(z.object({ items: z.array(AgentRecord) }), "The leaderboard") },
  }),
  async (c) => {
    const items = await agentLeaderboard(c.get("forge").db, c.get("viewer"), c.req.valid("query").limit);
    return c.json({ items }, 200);
  },
);

agentsApi.openapi(
  createRoute({
    method: "get",
    path: "/agents/{name}",
    ...PUBLIC,
    tags: ["agents"],
    summary: "An agent's record and reputation",
    description:
      "From the agent's sessions in the projects you may read: efficiency (tokens, landed_lines, tokens_per_landed_session, tokens_per_landed_line, wasted_tokens, restart_loops, trend with a degrading alert), reputation (score 0-100, overall and per track: docs, tests, features, fixes, each with its decayed good/bad evidence), the inputs (sessions, landed, rejected, abandoned, validations passed and failed, extra attempts, slop), scores by model and by account, and the formula's constants (half-life in days, prior, weights).",
    request: { params: z.object({ name: z.string().min(1).max(100) }) },
    responses: { 200: json(AgentRecord, "The agent's record"), 404: problems[404] },
  }),
  async (c) => {
    const record = await agentRecord(c.get("forge").db, c.get("viewer"), c.req.valid("param").name);
    if (!record) throw notFound("No sessions by this agent that you can see");
    return c.json(record, 200);
  },
);

agentsApi.openapi(
  createRoute({
    method: "get",
    path: "/users/{handle}/agents",
    ...PUBLIC,
    tags: ["agents"],
    summary: "The agents an account runs, with their reputation from its sessions",
    description:
      "From the account's agents' sessions in the projects you may read, most active first (at most 20): agent, reputation (0-100, the formula of GET /agents/{name}), sessions, landed.",
    request: { params: z.object({ handle: z.string().min(1).max(100) }) },
    responses: {
      200: json(
        z.object({
          items: z.array(
            z.object({ agent: z.string(), reputation: z.number(), sessions: z.number(), landed: z.number() }),
          ),
        }),
        "The account's agents",
      ),
      404: problems[404],
    },
  }),
  async (c) => {
    const db = c.get("forge").db;
    const viewer = c.get("viewer");
    const account = await getVisibleAccount(db, viewer, c.req.valid("param").handle);
    return c.json({ items: await accountAgents(db, viewer, account.id) }, 200);
  },
);
