// JSON API for projects: list what you can see, create, read, change, delete, audit.
import { createRoute, z } from "@hono/zod-openapi";
import { auditResponses } from "../admin/admin-api.ts";
import {
  apiRouter,
  json,
  jsonBody,
  Pagination,
  ProjectSchema,
  PUBLIC,
  problems,
  requireUser,
  scoped,
} from "../api/openapi.ts";
import { listAudit } from "../audit/audit.ts";
import { auditFilterSchema, auditQuery, exportAudit, NDJSON } from "../audit/audit-export.ts";
import {
  createProject,
  createProjectSchema,
  deleteProject,
  getProject,
  listProjects,
  projectJson,
  updateProject,
  updateProjectSchema,
} from "./projects-service.ts";

export const projectsApi = apiRouter();
const params = z.object({ owner: z.string().max(100), project: z.string().max(200) });

projectsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects",
    ...PUBLIC,
    tags: ["projects"],
    summary: "Projects visible to you, most recently updated first",
    request: {
      query: Pagination.extend({
        owner: z.string().max(100).optional(),
        q: z.string().max(200).optional(),
      }),
    },
    responses: { 200: json(z.array(ProjectSchema), "Projects"), 400: problems[400] },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const rows = await listProjects(c.get("forge").db, c.get("viewer"), q);
    return c.json(
      rows.map((p) => projectJson(p)),
      200,
    );
  },
);

projectsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects",
    tags: ["projects"],
    summary: "Create a project under yourself or an organization you belong to",
    ...scoped("project:write"),
    request: { body: jsonBody(createProjectSchema.openapi("CreateProjectRequest")) },
    responses: {
      201: json(ProjectSchema, "The new project"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const project = await createProject(
      c.get("forge").db,
      c.get("forge").repos,
      c.get("viewer"),
      c.req.valid("json"),
      c.get("forge"),
    );
    c.header("Location", `/api/v1/projects/${project.owner_handle}/${project.handle}`);
    return c.json(projectJson(project, "admin"), 201);
  },
);

projectsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}",
    ...PUBLIC,
    tags: ["projects"],
    summary: "A project",
    request: { params },
    responses: { 200: json(ProjectSchema, "The project"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const r = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    return c.json(projectJson(r.project, r.role), 200);
  },
);

projectsApi.openapi(
  createRoute({
    method: "patch",
    path: "/projects/{owner}/{project}",
    tags: ["projects"],
    summary: "Change a project's name, description or visibility",
    ...scoped("project:write"),
    request: { params, body: jsonBody(updateProjectSchema.openapi("UpdateProjectRequest")) },
    responses: {
      200: json(ProjectSchema, "The updated project"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const updated = await updateProject(c.get("forge"), c.get("viewer"), owner, project, c.req.valid("json"));
    return c.json(projectJson(updated, "admin"), 200);
  },
);

projectsApi.openapi(
  createRoute({
    method: "delete",
    path: "/projects/{owner}/{project}",
    tags: ["projects"],
    summary: "Delete a project",
    ...scoped("project:write"),
    request: { params },
    responses: {
      204: { description: "Deleted" },
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    await deleteProject(c.get("forge").db, c.get("forge").repos, c.get("viewer"), owner, project);
    return c.body(null, 204);
  },
);

projectsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/audit",
    tags: ["projects"],
    summary: "The project's audit log (project administrators)",
    ...scoped("project:read"),
    request: { params, query: auditFilterSchema },
    responses: {
      200: auditResponses,
      400: problems[400],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const db = c.get("forge").db;
    const r = await getProject(db, c.get("viewer"), owner, project, "admin");
    const f = c.req.valid("query");
    const q = { ...auditQuery(f), projectId: r.project.id };
    if (f.format === "jsonl")
      return c.body(await exportAudit(db, q), 200, { "Content-Type": NDJSON }) as never;
    return c.json(await listAudit(db, q), 200);
  },
);
