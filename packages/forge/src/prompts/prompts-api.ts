// JSON API for prompts: a project's prompt templates (read by anyone who may read the
// project, written by its administrators with project:write) and the prompt registry, per
// project and across every project the caller may read.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import { getProject } from "../projects/projects-service.ts";
import {
  instancePrompts,
  OUTCOMES,
  projectPrompts,
  registryJson,
  registryQuerySchema,
} from "./registry-service.ts";
import {
  createTemplate,
  createTemplateSchema,
  deleteTemplate,
  findTemplate,
  listTemplates,
  templateJson,
  updateTemplate,
  updateTemplateSchema,
} from "./templates-service.ts";

export const promptsApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const T = P.extend({ id: z.string().max(64) });
const tags = ["prompts"];

const Template = z
  .object({
    id: z.string(),
    project: z.string(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    placeholders: z.array(z.string()),
    created_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    url: z.string(),
  })
  .openapi("PromptTemplate");
const Registry = z
  .object({
    items: z.array(z.record(z.string(), z.unknown())),
    counts: z.object(Object.fromEntries(OUTCOMES.map((o) => [o, z.number().int()]))),
    next_before: z.string().nullable(),
  })
  .openapi("PromptRegistryPage", {
    description:
      "Prompts of sessions, newest first: session_id, project, goal, excerpt (text with full=true), author, agent, template, outcome (the session's status), generation_depth, revises, validation (the latest run's status, score and min_score, or null), created_at; counts per outcome for the same search; next_before for the next page",
  });

promptsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/prompt-templates",
    ...PUBLIC,
    tags,
    summary: "A project's prompt templates, by kind then id",
    request: { params: P },
    responses: { 200: json(z.array(Template), "Templates"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    const rows = await listTemplates(c.get("forge").db, p);
    return c.json(
      rows.map((t) => templateJson(p, t)),
      200,
    );
  },
);

promptsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/prompt-templates/{id}",
    ...PUBLIC,
    tags,
    summary: "A prompt template",
    request: { params: T },
    responses: { 200: json(Template, "The template"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    const t = await findTemplate(c.get("forge").db, p.id, id);
    if (!t) throw notFound(`No prompt template ${id}`);
    return c.json(templateJson(p, t), 200);
  },
);

promptsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/prompt-templates",
    tags,
    summary: "Add a prompt template (project administrators)",
    ...scoped("project:write"),
    request: { params: P, body: jsonBody(createTemplateSchema) },
    responses: {
      201: json(Template, "The new template"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    const r = await createTemplate(c.get("forge").db, c.get("viewer"), owner, project, c.req.valid("json"));
    const body = templateJson(r.project, r.template);
    c.header("Location", `/api/v1/projects/${body.project}/prompt-templates/${body.id}`);
    return c.json(body, 201);
  },
);

promptsApi.openapi(
  createRoute({
    method: "patch",
    path: "/projects/{owner}/{project}/prompt-templates/{id}",
    tags,
    summary: "Change a prompt template's kind, title or text (project administrators)",
    ...scoped("project:write"),
    request: { params: T, body: jsonBody(updateTemplateSchema) },
    responses: {
      200: json(Template, "The template"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const r = await updateTemplate(
      c.get("forge").db,
      c.get("viewer"),
      owner,
      project,
      id,
      c.req.valid("json"),
    );
    return c.json(templateJson(r.project, r.template), 200);
  },
);

promptsApi.openapi(
  createRoute({
    method: "delete",
    path: "/projects/{owner}/{project}/prompt-templates/{id}",
    tags,
    summary: "Delete a prompt template (project administrators); sessions keep naming it",
    ...scoped("project:write"),
    request: { params: T },
    responses: {
      204: { description: "Deleted" },
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    await deleteTemplate(c.get("forge").db, c.get("viewer"), owner, project, id);
    return c.body(null, 204);
  },
);

promptsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/prompts",
    ...PUBLIC,
    tags,
    summary: "Search a project's prompt registry: the prompts its sessions carry, newest first",
    request: { params: P, query: registryQuerySchema },
    responses: { 200: json(Registry, "A page of prompts"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    return c.json(registryJson(await projectPrompts(c.get("forge").db, p, c.req.valid("query"))), 200);
  },
);

promptsApi.openapi(
  createRoute({
    method: "get",
    path: "/prompts",
    ...PUBLIC,
    tags,
    summary: "Search the prompts of every project you may read, newest first",
    request: { query: registryQuerySchema.omit({ template: true }) },
    responses: { 200: json(Registry, "A page of prompts"), 400: problems[400] },
  }),
  async (c) => {
    const r = await instancePrompts(c.get("forge").db, c.get("viewer"), c.req.valid("query"));
    return c.json(registryJson(r), 200);
  },
);
