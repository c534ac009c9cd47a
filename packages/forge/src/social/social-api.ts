// JSON API for stars and forks: star/unstar (idempotent, 204), what a user starred, who
// starred a project, fork a project and list its forks. Private projects are 404 to anyone
// who cannot read them, in every route.
import { createRoute, z } from "@hono/zod-openapi";
import { getVisibleAccount, userJson } from "../accounts/accounts-service.ts";
import {
  apiRouter,
  json,
  jsonBody,
  Pagination,
  ProjectSchema,
  PUBLIC,
  problems,
  requireUser,
  SIGNED_IN,
  scoped,
  UserSchema,
} from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import { getProject, projectJson } from "../projects/projects-service.ts";
import { sessionJson } from "../sessions/sessions-service.ts";
import { forkProject, forkProjectSchema, listForks } from "./forks-service.ts";
import { proposeToParent } from "./incoming-sessions.ts";
import { hasStarred, listStargazers, listStarred, setStar } from "./stars-service.ts";

export const socialApi = apiRouter();
const params = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const StarredProjectSchema = ProjectSchema.extend({ starred_at: z.string() }).openapi("StarredProject");
const StargazerSchema = UserSchema.extend({ starred_at: z.string() }).openapi("Stargazer");
const starred = (rows: Awaited<ReturnType<typeof listStarred>>) =>
  rows.map((p) => ({ ...projectJson(p), starred_at: p.starred_at.toISOString() }));

socialApi.openapi(
  createRoute({
    method: "get",
    path: "/user/starred",
    tags: ["stars"],
    summary: "Projects you starred, most recently starred first",
    ...SIGNED_IN,
    request: { query: Pagination },
    responses: { 200: json(z.array(StarredProjectSchema), "Starred projects"), 401: problems[401] },
  }),
  async (c) => {
    const user = requireUser(c);
    const rows = await listStarred(c.get("forge").db, c.get("viewer"), user.id, c.req.valid("query"));
    return c.json(starred(rows), 200);
  },
);

socialApi.openapi(
  createRoute({
    method: "get",
    path: "/users/{handle}/starred",
    ...PUBLIC,
    tags: ["stars"],
    summary: "Projects a user starred that you can see",
    request: { params: z.object({ handle: z.string().max(100) }), query: Pagination },
    responses: { 200: json(z.array(StarredProjectSchema), "Starred projects"), 404: problems[404] },
  }),
  async (c) => {
    const db = c.get("forge").db;
    const account = await getVisibleAccount(db, c.get("viewer"), c.req.valid("param").handle);
    if (account.kind !== "user") throw notFound("User not found");
    return c.json(starred(await listStarred(db, c.get("viewer"), account.id, c.req.valid("query"))), 200);
  },
);

socialApi.openapi(
  createRoute({
    method: "get",
    path: "/user/starred/{owner}/{project}",
    tags: ["stars"],
    summary: "204 if you starred the project, 404 if not",
    ...SIGNED_IN,
    request: { params },
    responses: { 204: { description: "Starred" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const user = requireUser(c);
    const { owner, project } = c.req.valid("param");
    const r = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    if (!(await hasStarred(c.get("forge").db, user.id, r.project.id))) throw notFound("Not starred");
    return c.body(null, 204);
  },
);

for (const [method, on] of [
  ["put", true],
  ["delete", false],
] as const) {
  socialApi.openapi(
    createRoute({
      method,
      path: "/user/starred/{owner}/{project}",
      tags: ["stars"],
      summary: on ? "Star a project (idempotent)" : "Unstar a project (idempotent)",
      ...scoped("project:write"),
      request: { params },
      responses: {
        204: { description: on ? "Starred" : "Not starred" },
        401: problems[401],
        403: problems[403],
        404: problems[404],
      },
    }),
    async (c) => {
      const { owner, project } = c.req.valid("param");
      await setStar(c.get("forge").db, c.get("viewer"), owner, project, on);
      return c.body(null, 204);
    },
  );
}

socialApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/stargazers",
    ...PUBLIC,
    tags: ["stars"],
    summary: "Who starred the project, most recent first",
    request: { params, query: Pagination },
    responses: { 200: json(z.array(StargazerSchema), "Stargazers"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const r = await listStargazers(c.get("forge").db, c.get("viewer"), owner, project, c.req.valid("query"));
    return c.json(
      r.users.map((u) => ({ ...userJson(u), starred_at: u.starred_at.toISOString() })),
      200,
    );
  },
);

socialApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/forks",
    ...PUBLIC,
    tags: ["forks"],
    summary: "The project's forks that you can see, newest first",
    request: { params, query: Pagination },
    responses: { 200: json(z.array(ProjectSchema), "Forks"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const r = await listForks(c.get("forge"), c.get("viewer"), owner, project, c.req.valid("query"));
    return c.json(
      r.forks.map((p) => projectJson(p)),
      200,
    );
  },
);

socialApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/forks",
    tags: ["forks"],
    summary: "Fork a project under yourself or an organization you belong to",
    description:
      "The fork keeps the project's visibility, starts with its branches and tags and shares its objects. `handle` defaults to the project's handle.",
    ...scoped("project:write"),
    request: {
      params,
      body: { ...jsonBody(forkProjectSchema.openapi("ForkRequest")), required: false },
    },
    responses: {
      201: json(ProjectSchema, "The new fork"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const fork = await forkProject(c.get("forge"), c.get("viewer"), owner, project, c.req.valid("json"));
    c.header("Location", `/api/v1/projects/${fork.owner_handle}/${fork.handle}`);
    return c.json(projectJson(fork, "admin"), 201);
  },
);

socialApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/propose",
    tags: ["forks", "sessions"],
    summary: "Propose an open session of a fork to its parent",
    description:
      "Opens a session in the parent with the same goal, author, conversation and change, based on the parent's landing at the session's base commit, with `source` naming the fork's session. The parent's maintainers land it.",
    ...scoped("session:write"),
    request: { params: params.extend({ id: z.string().max(40) }) },
    responses: {
      201: json(
        z.object({ project: z.string(), session: z.record(z.string(), z.unknown()) }),
        "The incoming session in the parent",
      ),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const r = await proposeToParent(c.get("forge"), c.get("viewer"), owner, project, id);
    const full = `${r.parent.owner_handle}/${r.parent.handle}`;
    c.header("Location", `/api/v1/projects/${full}/sessions/${r.session.id}`);
    return c.json({ project: full, session: sessionJson(r.session) }, 201);
  },
);
