// JSON API for import: POST a git bundle (Content-Type: application/x-git-bundle), or, as an
// instance administrator, {"path": "/abs/path"} of a repository on the server.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, problems, requireUser, scoped } from "../api/openapi.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { importIntoProject, importUploadedBundle } from "./import-service.ts";

export const importApi = apiRouter();

const ImportResult = z
  .object({ branches: z.number().int(), tags: z.number().int(), default_branch: z.string() })
  .openapi("ImportResult");
const PathImport = z.object({ path: z.string().min(1).max(4096) }).openapi("PathImportRequest");

importApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/import",
    tags: ["projects"],
    summary: "Fill an empty project's repository from a git bundle (or, for administrators, a server path)",
    description:
      'Send the output of `git bundle create repo.bundle --all` as the body with `Content-Type: application/x-git-bundle`. Instance administrators may instead send JSON `{"path": "/srv/git/repo.git"}`.',
    ...scoped("project:write"),
    request: {
      params: z.object({ owner: z.string().max(100), project: z.string().max(200) }),
      body: {
        required: false,
        content: {
          "application/x-git-bundle": { schema: z.string().openapi({ format: "binary" }) },
          "application/json": { schema: PathImport },
        },
      },
    },
    responses: {
      200: json(ImportResult, "Imported"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
      413: problems[413],
      415: problems[415],
    },
  }),
  async (c) => {
    requireUser(c);
    const forge = c.get("forge");
    const { owner, project } = c.req.param();
    const type = c.req.header("content-type") ?? "";
    let result: Awaited<ReturnType<typeof importIntoProject>>;
    if (type.startsWith("application/x-git-bundle")) {
      if (!c.req.raw.body) throw invalid("The request has no body; send the bundle");
      result = await importUploadedBundle(forge, c.get("viewer"), owner, project, c.req.raw.body);
    } else if (type.startsWith("application/json")) {
      const { path } = requireValid(PathImport, await c.req.json().catch(() => ({})));
      result = await importIntoProject(forge, c.get("viewer"), owner, project, { kind: "path", path });
    } else {
      throw new AppError(
        "unsupported_media_type",
        "Send a git bundle (application/x-git-bundle) or JSON with a path",
      );
    }
    return c.json(
      { branches: result.branches, tags: result.tags, default_branch: result.default_branch },
      200,
    );
  },
);
