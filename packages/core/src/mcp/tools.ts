// The Model Context Protocol tools of Micelio, defined once: name, description, input schema
// (zod, turned into JSON Schema by the MCP SDK) and the token scope each needs, as the REST
// route it mirrors declares it. The forge serves them at /mcp, implemented by its services
// (forge/src/mcp/); `mic mcp` serves them over stdio, implemented by REST calls
// (mic/src/mcp/). Both answer with the JSON the REST API answers.
import { z } from "zod";
import { contextSessionsSchema, MAX_GENERATION_DEPTH, promptRequestSchema } from "../prompt-request.ts";
import { TEMPLATE_ID_RE } from "../prompt-template.ts";
import type { Scope } from "../scopes.ts";
import { COMMENT_KINDS, MAX_COMMENT_CHARS } from "../session-comments.ts";
import { agentSchema, ORIGINS, sessionEventSchema } from "../session-events.ts";

const owner = z.string().min(1).max(100).describe("The project's owner: a user or organization handle");
const project = z.string().min(1).max(200).describe("The project's handle");
const sessionId = z
  .string()
  .min(1)
  .max(40)
  .describe("The session's id (26 characters, from open_session or list_sessions)");
const ref = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe("A branch, tag or commit id; default: trunk (main). Give ref or position, not both");
const position = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe("A trunk position (the landing number); reads trunk as it was after that landing");
const filePath = z.string().min(1).max(4096).describe("A file's path in the repository, e.g. src/app.ts");

const PROJECT = { owner, project };
const templateId = z.string().regex(TEMPLATE_ID_RE, "a template id").describe("A prompt template's id");
const SESSION = { owner, project, session_id: sessionId };

const changeSchema = z.union([
  z
    .object({
      path: filePath,
      text: z.string().max(100_000_000).describe("The file's new content as UTF-8 text"),
      executable: z.boolean().optional().describe("Mark the file executable (mode 100755)"),
    })
    .strict(),
  z
    .object({
      path: filePath,
      base64: z.string().max(150_000_000).describe("The file's new content, base64-encoded (binary files)"),
      executable: z.boolean().optional().describe("Mark the file executable (mode 100755)"),
    })
    .strict(),
  z.object({ path: filePath, delete: z.literal(true).describe("Delete the file") }).strict(),
]);
export type McpChange = z.infer<typeof changeSchema>;

/** What a tool asks of the caller's token: a scope, or nothing beyond reading what it may see. */
export type McpAccess = Scope | "public";

interface ToolDef<N extends string, S extends z.ZodRawShape> {
  name: N;
  title: string;
  description: string;
  access: McpAccess;
  /** Reads only (MCP annotations readOnlyHint). */
  readOnly: boolean;
  input: S;
}

const tool = <N extends string, S extends z.ZodRawShape>(def: ToolDef<N, S>) => def;

const READS =
  " Private projects are visible only to a token with project:read (or project:write) whose user may read them; anything else answers not found.";

export const MCP_TOOLS = [
  tool({
    name: "search_projects",
    title: "Search projects",
    description:
      "Search the projects you can see by name, description and README, best match first. Returns {items: [project], next_cursor, match}; pass next_cursor as cursor for the next page." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      query: z.string().min(1).max(256).describe("Words to look for (taken literally)"),
      sort: z.enum(["relevance", "stars", "recent"]).optional().describe("Order; default relevance"),
      limit: z.number().int().min(1).max(100).optional().describe("Results per page (default 20)"),
      cursor: z.string().max(200).optional().describe("next_cursor from the previous page"),
    },
  }),
  tool({
    name: "search_code",
    title: "Search code in a project",
    description:
      "Search a project's files at a ref with git grep: literal text by default, or a Perl-compatible regular expression with regex: true. Returns {ref, commit, items: [{path, line, column, text, ...}], truncated}." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      query: z.string().min(1).max(256).describe("What to look for"),
      regex: z.boolean().optional().describe("query is a regular expression"),
      ignore_case: z.boolean().optional().describe("Match regardless of case"),
      ref: z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe("Branch, tag or commit; default: the default branch"),
      limit: z.number().int().min(1).max(500).optional().describe("Most matching lines (default 100)"),
    },
  }),
  tool({
    name: "read_file",
    title: "Read a file",
    description:
      "Read one file at trunk (default), a ref or a trunk position. Returns {path, ref, commit, size, encoding, content}: content is the text for UTF-8 files and base64 otherwise (encoding says which)." +
      READS,
    access: "public",
    readOnly: true,
    input: { ...PROJECT, path: filePath, ref, position },
  }),
  tool({
    name: "list_tree",
    title: "List a directory",
    description:
      "List a directory at trunk (default), a ref or a trunk position: its entries (name, path, type blob/tree, size) with the last commit that changed each, directories first. Omit path for the root." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      path: z.string().max(4096).optional().describe("A directory's path; default: the root"),
      ref,
      position,
    },
  }),
  tool({
    name: "blame_file",
    title: "Blame a file by session",
    description:
      "Blame a file: hunks of lines, each with the trunk landing that brought it (position, session id, goal, author, agent) and its commit. Use it to learn why a line exists before changing it." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      path: filePath,
      ref,
      position,
      content: z.boolean().optional().describe("Include each line's text (default true)"),
    },
  }),
  tool({
    name: "list_landings",
    title: "List trunk landings",
    description:
      "Trunk's landings, newest first: {items: [{position, commit, paths, landed_at, session, goal, author, agent, origin}]}. Page back with before (a position)." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      before: z.number().int().min(1).optional().describe("Only landings before this position"),
      limit: z.number().int().min(1).max(200).optional().describe("At most this many (default 50)"),
    },
  }),
  tool({
    name: "list_sessions",
    title: "List sessions",
    description:
      "A project's sessions, newest first, optionally filtered: {items: [session]} with id, goal, status (open, landed, abandoned, rejected), author, agent, base_position and landed_position." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      status: z.enum(["open", "landed", "abandoned", "rejected"]).optional(),
      origin: z.enum(ORIGINS).optional(),
      agent: z.string().max(100).optional().describe("Only sessions by this agent name"),
      before: z.string().max(40).optional().describe("Only sessions older than this session id"),
      limit: z.number().int().min(1).max(100).optional().describe("At most this many (default 30)"),
    },
  }),
  tool({
    name: "get_session",
    title: "Get a session",
    description:
      "One session: goal, status, author, agent, base_position, landed_position and change statistics. Check status before acting: only an open session takes events, changes or a land." +
      READS,
    access: "public",
    readOnly: true,
    input: SESSION,
  }),
  tool({
    name: "open_session",
    title: "Open a session",
    description:
      "Start a unit of work on a project you may write to: a goal (why), your agent, the prompt you work from (required with an agent: text, and system, environment, cost_usd, execution_ms, revises — the session whose prompt this one revises — and template when you have them), and a base (default: the trunk head). context_sessions names sessions whose output you act on (they set your generation depth; a project may cap it: error generation-depth-exceeded). Returns the session; keep its id for append_events, put_changes and land_session. Needs a token with session:write.",
    access: "session:write",
    readOnly: false,
    input: {
      ...PROJECT,
      goal: z.string().min(1).max(500).describe("What this change is for, one sentence"),
      agent: agentSchema.optional().describe("The agent doing the work: name, model, version"),
      origin: z.enum(ORIGINS).optional().describe("Default: ai-generated with an agent, human without"),
      base: z.number().int().min(0).optional().describe("The trunk position to start from; default: head"),
      prompt: promptRequestSchema.optional().describe("The prompt request (required with an agent)"),
      generation_depth: z
        .number()
        .int()
        .min(0)
        .max(MAX_GENERATION_DEPTH)
        .optional()
        .describe("The generation you declare: 1 acting on a person's request, n+1 on depth-n AI output"),
      context_sessions: contextSessionsSchema
        .optional()
        .describe("Sessions of this project whose output you act on"),
      generated_at: z
        .string()
        .datetime({ offset: true })
        .optional()
        .describe("When you produced the content (ISO 8601); over 24 h before landing flags it stale"),
    },
  }),
  tool({
    name: "append_events",
    title: "Append conversation events",
    description:
      "Append events to an open session's conversation, in order: prompt, message, decision, tool_call, status, progress, output, error or artifact. Record the prompt and the decisions that explain the change. Returns {items: [{seq, kind}]}. Needs session:write.",
    access: "session:write",
    readOnly: false,
    input: { ...SESSION, events: z.array(sessionEventSchema).min(1).max(1000) },
  }),
  tool({
    name: "put_changes",
    title: "Put file changes",
    description:
      "Write files into an open session's change, on top of what it already holds: each change is {path, text} (UTF-8), {path, base64} (binary) or {path, delete: true}. Nothing reaches trunk until land_session. Returns {commit, tree, paths, lines_added, lines_removed}. Needs session:write.",
    access: "session:write",
    readOnly: false,
    input: { ...SESSION, changes: z.array(changeSchema).min(1).max(10_000) },
  }),
  tool({
    name: "land_session",
    title: "Land a session",
    description:
      "Land an open session on trunk. Returns {position, commit, session}. When the project has validation steps (.micelio/checks.yml) and the session scores below the minimum, nothing lands and the error (type validation-failed) holds validation and failing_steps with their log excerpts. When work landed since the session's base touched the same paths, nothing lands and the result is an error whose structured content holds conflicts: [{path, position, session_id, goal, author, agent}]: read those files, call sync_session to move the base (or put_changes with a resolution, then sync_session), and land again. Needs session:write.",
    access: "session:write",
    readOnly: false,
    input: {
      ...SESSION,
      generated_at: z
        .string()
        .datetime({ offset: true })
        .optional()
        .describe("When you produced the content (ISO 8601); over 24 h before landing flags it stale"),
    },
  }),
  tool({
    name: "list_validations",
    title: "A session's validation results",
    description:
      "The quality gate's runs for a session, newest first: status (running, passed, failed, error), score and min_score, category_scores, shortfalls, iteration, and each step's status, exit_code, killed (timeout, memory, processes) and log_excerpt. The project's .micelio/checks.yml on trunk decides the steps; land_session refuses a session below the minimum with an error of type validation-failed carrying the same data: fix what the failing steps report, put_changes, and land again." +
      READS,
    access: "public",
    readOnly: true,
    input: SESSION,
  }),
  tool({
    name: "list_session_comments",
    title: "A session's review comments",
    description:
      "Reviewers' comments on a session, oldest first: {items: [{id, kind, author, body (markdown), path, line, suggested_prompt, resolved, created_at}]}. kind is comment, change-request or prompt-suggestion; a prompt-suggestion may carry suggested_prompt, a rewritten prompt to retry with. Read the open prompt suggestions and change requests before retrying a session (open the next one with prompt.revises set to this session)." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...SESSION,
      kind: z.enum(COMMENT_KINDS).optional().describe("Only comments of this kind"),
      after: z.string().max(40).optional().describe("Only comments after this comment id"),
    },
  }),
  tool({
    name: "add_session_comment",
    title: "Comment on a session",
    description:
      "Add a review comment to a session of a project you may read (closed sessions too): kind comment (default), change-request or prompt-suggestion (with suggested_prompt, the prompt you would give the agent instead); path and line anchor it to a file of the change. Returns the comment. Needs session:write.",
    access: "session:write",
    readOnly: false,
    input: {
      ...SESSION,
      kind: z.enum(COMMENT_KINDS).optional().describe("Default: comment"),
      body: z.string().min(1).max(MAX_COMMENT_CHARS).describe("The comment, in markdown"),
      path: z.string().min(1).max(4096).optional().describe("A file of the change it is about"),
      line: z.number().int().min(1).optional().describe("A line of that file"),
      suggested_prompt: z
        .string()
        .min(1)
        .max(MAX_COMMENT_CHARS)
        .optional()
        .describe("prompt-suggestion only: a rewritten prompt the agent can use"),
    },
  }),
  tool({
    name: "sync_info",
    title: "What changed on trunk since my base",
    description:
      "For a session: the trunk head, how many landings it is behind, the landings since its base (newest first) and the conflicts its change has with them ([{path, position, session_id, goal, author, agent}]). Empty conflicts mean land_session should succeed." +
      READS,
    access: "public",
    readOnly: true,
    input: SESSION,
  }),
  tool({
    name: "sync_session",
    title: "Move a session onto a later trunk position",
    description:
      "Move an open session's base to a later trunk position (default: the head), replaying its change with a three-way merge. When the change does not apply cleanly the result is an error with conflicts: [{path}] and the session stays where it was. Needs session:write.",
    access: "session:write",
    readOnly: false,
    input: {
      ...SESSION,
      base: z.number().int().min(0).optional().describe("The trunk position to move to; default: head"),
    },
  }),
  tool({
    name: "abandon_session",
    title: "Abandon a session",
    description:
      "Abandon an open session: it will never land. Use it when the work is no longer wanted. Needs session:write.",
    access: "session:write",
    readOnly: false,
    input: SESSION,
  }),
  tool({
    name: "search_prompts",
    title: "Search past prompts",
    description:
      "Search the prompts agents' sessions carried, newest first: in one project (owner and project) or, without them, across every project you can read. Matches a case-insensitive substring of the goal and prompt. Returns {items: [{session_id, project, goal, excerpt, text (with full: true), agent, template, outcome (landed, rejected, abandoned, open), generation_depth, revises, validation: {status, score, min_score} | null, created_at, url}], counts: {landed, rejected, abandoned, open}, next_before}. Read what landed (and what was rejected) before writing a prompt; pass next_before as before for the next page." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      owner: owner.optional(),
      project: project.optional(),
      query: z.string().max(200).optional().describe("Words in the goal or prompt (taken literally)"),
      outcome: z
        .enum(["landed", "rejected", "abandoned", "open"])
        .optional()
        .describe("Only sessions that ended so"),
      template: templateId.optional().describe("Only prompts started from this template (with a project)"),
      agent: z.string().max(100).optional().describe("Only sessions by this agent name"),
      before: z.string().max(40).optional().describe("next_before from the previous page"),
      limit: z.number().int().min(1).max(100).optional().describe("At most this many (default 20)"),
      full: z.boolean().optional().describe("Include each prompt's whole text, not only its excerpt"),
    },
  }),
  tool({
    name: "list_prompt_templates",
    title: "List a project's prompt templates",
    description:
      "The prompts a project's maintainers curated for agents: {items: [{id, kind (bug-fix, feature, refactor, docs, test, other), title, body, placeholders, url}]}. Start from the one that fits: fill its {{placeholders}}, and name it as prompt.template when you open_session." +
      READS,
    access: "public",
    readOnly: true,
    input: PROJECT,
  }),
  tool({
    name: "get_agent_record",
    title: "An agent's record and reputation",
    description:
      "An agent's record over the projects you may read: reputation (0-100, overall and per track: docs, tests, features, fixes) with every input and the formula, token efficiency (tokens per landed line, wasted tokens, restart loops, a degrading alert), and scores per model and per account. Check your own to see what lowers it (failed validations, extra attempts, rejections after passing validation)." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      agent: z.string().min(1).max(100).describe("The agent's name, as given in open_session's agent.name"),
    },
  }),
  tool({
    name: "get_agent_standing",
    title: "An agent's standing under a project's agent policy",
    description:
      "Where an agent (your account and agent name, or another account's) stands in a project: tier (sandbox, small, large, auto) and what the next needs, the tier's limits (max_lines, max_files, may_land), quota used today and this week and when a slot frees up, failure_streak and backoff_until, cooling_off_until after a rejection, checkpoints_remaining (contributions a person still reviews), and any vouch. Check it before opening sessions, and wait out backoff_until/cooling_off_until instead of retrying." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      agent: z.string().min(1).max(100).describe("The agent's name, as given in open_session's agent.name"),
      account: z.string().min(1).max(39).optional().describe("The agent's account (default: you)"),
    },
  }),
  tool({
    name: "get_review_budget",
    title: "A project's review budget and the cost of reviewing contributions",
    description:
      "The maintainers' attention budget of a project: minutes_per_week of review (null: none set) and the estimate of one review (base_minutes + changed lines / lines_per_minute); capacity: spent_this_week, remaining_minutes, queue_sessions and queue_minutes of the review queue, incoming_minutes_per_week, over_capacity and reasons; accounting: minutes to generate against minutes to review per session and by_week, by_agent, by_model. When over_capacity is true, send fewer, smaller, well-validated sessions: the maintainers cannot review more this week." +
      READS,
    access: "public",
    readOnly: true,
    input: {
      ...PROJECT,
      weeks: z.number().int().min(1).max(52).optional().describe("Weeks of accounting (default 8)"),
    },
  }),
  tool({
    name: "get_quality_report",
    title: "Quality of AI and human contributions over time",
    description:
      "A project's quality dashboard (give owner and project) or the instance's over every project you may read (neither): weekly series of people's (human_*) and agents' (ai_*) sessions opened, landed, rejected, abandoned, rejection_rate, review_hours, slop, validation pass rate and score, tokens per landed line, and ai_share; totals; by_model (agents' numbers per model); by_agent (token efficiency); alerts when agents' contributions are getting worse (each with the numbers that raised it and its threshold)." +
      READS,
    access: "project:read",
    readOnly: true,
    input: {
      owner: owner.optional(),
      project: project.optional(),
      weeks: z.number().int().min(1).max(52).optional().describe("Weeks in the window (default 12)"),
    },
  }),
] as const;

type Tools = (typeof MCP_TOOLS)[number];
export type McpToolName = Tools["name"];
export type McpToolArgs<N extends McpToolName> = z.infer<z.ZodObject<Extract<Tools, { name: N }>["input"]>>;

/** One implementation per tool: given validated arguments, the JSON the REST API answers. */
export type McpHandlers = { [N in McpToolName]: (args: McpToolArgs<N>) => Promise<unknown> };

/** Files at a trunk position, as MCP resources (position may also be "head"). */
export const FILE_RESOURCE = {
  name: "file",
  template: "micelio://{owner}/{project}/{position}/{+path}",
  title: "A file at a trunk position",
  description:
    "micelio://OWNER/PROJECT/POSITION/PATH: a file of a project as trunk held it after landing POSITION (or head). UTF-8 files come as text, others as a base64 blob.",
} as const;

/** Splits a file resource URI into its parts, or null when it is not one. */
export function parseFileUri(uri: string) {
  const m = /^micelio:\/\/([^/]+)\/([^/]+)\/(head|[1-9][0-9]*)\/(.+)$/.exec(uri);
  if (!m) return null;
  const [, o, p, pos, path] = m;
  return {
    owner: decodeURIComponent(o!),
    project: decodeURIComponent(p!),
    position: pos === "head" ? ("head" as const) : Number(pos),
    path: path!.split("/").map(decodeURIComponent).join("/"),
  };
}
