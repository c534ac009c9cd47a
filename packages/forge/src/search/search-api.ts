// JSON API for search: projects (ranked full text, trigram fallback), users, organizations,
// and code inside a project (git grep). Lists page with an opaque next_cursor.
import { createRoute, z } from "@hono/zod-openapi";
import { userJson } from "../accounts/accounts-service.ts";
import { apiRouter, json, OrgSchema, ProjectSchema, PUBLIC, problems, UserSchema } from "../api/openapi.ts";
import { orgJson } from "../orgs/orgs-service.ts";
import { projectJson } from "../projects/projects-service.ts";
import { memberCounts, searchAccounts } from "./account-search.ts";
import { DEFAULT_CODE_RESULTS, MAX_CODE_RESULTS, searchCode } from "./code-search.ts";
import { searchProjects } from "./project-search.ts";
import { limitParam, PROJECT_SORTS, queryText } from "./search-query.ts";

export const searchApi = apiRouter();

const q = queryText.openapi({
  description:
    "What to look for (1–256 characters). Any text is accepted: quotes, operators and symbols are taken literally.",
});
const listQuery = z.object({
  q,
  cursor: z.string().max(200).optional().openapi({ description: "next_cursor from the previous page" }),
  limit: limitParam.optional().openapi({ description: "Results per page (1–100, default 20)" }),
});
const page = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as cursor for the next page; null on the last" }),
    })
    .openapi(name);

const ProjectResultsSchema = page(ProjectSchema, "ProjectSearchResults").extend({
  match: z.enum(["text", "similar"]).openapi({
    description: "text: the words matched; similar: nothing matched, these names are spelled like the query",
  }),
});

searchApi.openapi(
  createRoute({
    method: "get",
    path: "/search/projects",
    ...PUBLIC,
    tags: ["search"],
    summary: "Search the projects you can see by name, description and README",
    description:
      "Ranked full-text search (name and handle weigh most, then description, then the default branch's README); " +
      "when the words match nothing, projects with similarly spelled names. Private projects appear only to those who can read them.",
    request: {
      query: listQuery.extend({
        sort: z.enum(PROJECT_SORTS).optional().openapi({
          description: "relevance (default), stars, or recent (latest landing or edit first)",
        }),
      }),
    },
    responses: {
      200: json(ProjectResultsSchema, "Matching projects, best first"),
      400: problems[400],
      429: problems[429],
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const found = await searchProjects(c.get("forge").db, c.get("viewer"), query);
    return c.json({ ...found, items: found.items.map((p) => projectJson(p)) }, 200);
  },
);

searchApi.openapi(
  createRoute({
    method: "get",
    path: "/search/users",
    ...PUBLIC,
    tags: ["search"],
    summary: "Search users by handle and name",
    request: { query: listQuery },
    responses: {
      200: json(page(UserSchema, "UserSearchResults"), "Matching users"),
      400: problems[400],
      429: problems[429],
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const found = await searchAccounts(c.get("forge").db, { ...query, kind: "user" });
    return c.json({ items: found.items.map((a) => userJson(a)), next_cursor: found.next_cursor }, 200);
  },
);

searchApi.openapi(
  createRoute({
    method: "get",
    path: "/search/orgs",
    ...PUBLIC,
    tags: ["search"],
    summary: "Search organizations by handle and name",
    request: { query: listQuery },
    responses: {
      200: json(page(OrgSchema, "OrganizationSearchResults"), "Matching organizations"),
      400: problems[400],
      429: problems[429],
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const db = c.get("forge").db;
    const found = await searchAccounts(db, { ...query, kind: "org" });
    const counts = await memberCounts(
      db,
      found.items.map((o) => o.id),
    );
    return c.json(
      { items: found.items.map((o) => orgJson(o, counts.get(o.id) ?? 0)), next_cursor: found.next_cursor },
      200,
    );
  },
);

const flag = (description: string) =>
  z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .openapi({ description });

const CodeMatchSchema = z
  .object({
    path: z.string(),
    line: z.number().int(),
    column: z.number().int().openapi({ description: "1-based character column of the first match" }),
    text: z.string().openapi({ description: "The line (a window around the match when long)" }),
    offset: z.number().int().openapi({ description: "Character offset of text within the line" }),
    line_truncated: z.boolean(),
    line_length: z.number().int().openapi({ description: "Characters in the full line" }),
    ranges: z
      .array(z.tuple([z.number().int(), z.number().int()]))
      .openapi({ description: "The matches within text, as [start, end) character offsets" }),
    url: z.string().openapi({ description: "The file view at that line" }),
  })
  .openapi("CodeMatch");

const CodeResultsSchema = z
  .object({
    ref: z.string().nullable().openapi({ description: "The ref searched; null for an empty repository" }),
    commit: z.string().nullable(),
    items: z.array(CodeMatchSchema),
    truncated: z
      .boolean()
      .openapi({ description: "true when a limit (results, output or time) cut the search short" }),
    timed_out: z.boolean(),
  })
  .openapi("CodeSearchResults");

searchApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/search/code",
    ...PUBLIC,
    tags: ["search"],
    summary: "Search the code of a project at a ref (git grep)",
    description:
      "Literal by default; regex=true takes a Perl-compatible regular expression (an invalid one is a 400). " +
      "The search stops after a time limit or a number of results and then says truncated.",
    request: {
      params: z.object({ owner: z.string().max(100), project: z.string().max(200) }),
      query: z.object({
        q,
        regex: flag("true: q is a regular expression; false (default): a literal string"),
        ignore_case: flag("true: match regardless of case"),
        ref: z
          .string()
          .max(255)
          .optional()
          .openapi({ description: "Branch, tag or commit; the default branch when absent" }),
        limit: z.coerce
          .number()
          .int()
          .min(1)
          .max(MAX_CODE_RESULTS)
          .optional()
          .openapi({ description: `Most matching lines to return (default ${DEFAULT_CODE_RESULTS})` }),
      }),
    },
    responses: {
      200: json(CodeResultsSchema, "Matching lines"),
      400: problems[400],
      404: problems[404],
      429: problems[429],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const query = c.req.valid("query");
    const { repo: _repo, ...found } = await searchCode(c.get("forge"), c.get("viewer"), owner, project, {
      q: query.q,
      regex: query.regex,
      ignoreCase: query.ignore_case,
      ref: query.ref,
      limit: query.limit,
    });
    return c.json(found, 200);
  },
);
