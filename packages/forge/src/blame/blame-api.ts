// JSON API for blame by session: GET /projects/{owner}/{project}/blame/{ref}/{path}. As in
// browse-api.ts, {ref} and {path} are path parameters (send "/" as %2F), and a raw
// multi-segment form (/blame/feature/x/src/app.ts) is accepted too, split the same way as
// the web pages: the longest leading part naming a branch or tag is the ref.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, PUBLIC, problems } from "../api/openapi.ts";
import { locate, openRepo } from "../browse/browse-service.ts";
import { rawRefPath } from "../browse/raw-ref-path.ts";
import type { AppEnv } from "../http/context.ts";
import { BlameSchema, blameJson } from "./blame-json.ts";
import { blameFile, MAX_BLAME_BYTES, MAX_BLAME_LINES } from "./blame-service.ts";

export const blameApi = apiRouter();

const params = z.object({
  owner: z.string().max(100),
  project: z.string().max(200),
  ref: z.string().min(1).max(255).openapi({
    description: "Branch, tag or commit id. A slash in a branch name may be sent as-is or as %2F.",
    example: "main",
  }),
  path: z.string().min(1).max(4096).openapi({
    description: "Path of a file; slashes may be sent as-is or as %2F.",
    example: "src/app.ts",
  }),
});

const query = z.object({
  content: z.enum(["true", "false", "1", "0"]).optional().openapi({
    description: "Include each line's text (default true)",
  }),
});

const withContent = (v: string | undefined) => v !== "false" && v !== "0";

async function answer(c: Context<AppEnv>, owner: string, project: string, rest: string, content: boolean) {
  const forge = c.get("forge");
  const repo = await openRepo(forge, c.get("viewer"), owner, project);
  const view = await blameFile(forge, repo, await locate(repo, rest), c.get("viewer"));
  if (repo.project.visibility === "private") c.header("Cache-Control", "private, no-cache");
  return c.json(blameJson(view, content), 200);
}

// More segments than {ref}/{path}: raw slashes in the ref or the path.
blameApi.use("/projects/:owner/:project/blame/*", async (c, next) => {
  const raw = rawRefPath(c, "blame");
  return raw ? answer(c, raw.owner, raw.project, raw.rest, withContent(c.req.query("content"))) : next();
});

blameApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/blame/{ref}/{path}",
    ...PUBLIC,
    tags: ["code"],
    summary: "Blame by session: each line of a file with its commit and the landing that brought it",
    description: [
      "Each line's commit is the one that last changed it (git blame). Its landing is the first",
      "trunk landing whose commit contains that commit: the landing commit itself, or for the earlier",
      "commits of a multi-commit push, the push's landing. Lines without one (history from before the",
      "first landing, or a branch that never landed) have `position: null` and keep their commit's",
      "author, date and summary in `commits`. Consecutive lines with the same landing (or, without one,",
      `the same commit) form a hunk. Files over ${MAX_BLAME_BYTES} bytes or ${MAX_BLAME_LINES} lines`,
      "are refused with 413; binary files with 400.",
    ].join(" "),
    request: { params, query },
    responses: {
      200: json(BlameSchema, "The blamed file"),
      400: problems[400],
      404: problems[404],
      413: problems[413],
    },
  }),
  (c) => {
    const v = c.req.valid("param");
    return answer(c, v.owner, v.project, `${v.ref}/${v.path}`, withContent(c.req.valid("query").content));
  },
);
