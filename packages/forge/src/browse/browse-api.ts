// JSON API for reading repositories: refs, trees, files, commit history and one commit
// with its patch. {ref} and {path} are ordinary path parameters (send "/" as %2F, as
// OpenAPI clients do); a raw multi-segment form (/tree/feature/x/src/app.ts) is accepted
// too and split the same way as the web pages: the longest leading part naming a ref.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, PUBLIC, problems } from "../api/openapi.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import {
  BlobSchema,
  blobJson,
  CommitDetailSchema,
  CommitSchema,
  commitDetailJson,
  commitJson,
  RefsSchema,
  refsJson,
  TreeSchema,
  treeJson,
} from "./browse-json.ts";
import {
  checkPath,
  commitDetail,
  commitPage,
  encodeRef,
  locate,
  locateRef,
  openRepo,
  readDirectory,
  readEntry,
} from "./browse-service.ts";
import { rawRefPath } from "./raw-ref-path.ts";

export const browseApi = apiRouter();

/** Largest file returned by the blob endpoint (bigger ones: use the raw URL). */
export const MAX_API_BLOB_BYTES = 10 * 1024 * 1024;

const owner = z.string().max(100);
const project = z.string().max(200);
const ref = z.string().min(1).max(255).openapi({
  description: "Branch, tag or commit id. A slash in a branch name may be sent as-is or as %2F.",
  example: "main",
});
const path = z.string().min(1).max(4096).openapi({
  description: "Path inside the repository; slashes may be sent as-is or as %2F.",
  example: "src/app.ts",
});
const base = "/projects/{owner}/{project}";
const notFoundRef = { 400: problems[400], 404: problems[404] };

const repoFor = (c: Context<AppEnv>, o: string, p: string) => openRepo(c.get("forge"), c.get("viewer"), o, p);

async function tree(c: Context<AppEnv>, o: string, p: string, rest: string) {
  const repo = await repoFor(c, o, p);
  const loc = await locate(repo, rest);
  const dir = await readDirectory(c.get("forge"), repo, loc);
  if (!dir) throw notFound("Not a directory");
  return c.json(treeJson(loc, dir), 200);
}

async function blob(c: Context<AppEnv>, o: string, p: string, rest: string) {
  const repo = await repoFor(c, o, p);
  const loc = await locate(repo, rest);
  if (!loc.path) throw notFound("Not a file");
  const f = await readEntry(repo, loc, MAX_API_BLOB_BYTES);
  if (f.entry.type !== "blob") throw notFound("Not a file");
  if (f.tooLarge) {
    throw new AppError("too_large", `The file is larger than ${MAX_API_BLOB_BYTES} bytes; download it raw`, {
      raw_url: `${repo.base}/raw/${encodeRef(rest)}`,
    });
  }
  return c.json(blobJson(loc, f), 200);
}

const routes = { tree, blob } as const;

/**
 * Paths with more segments than the documented {ref}/{path} (raw slashes in the ref or the
 * path) are answered here with the same handlers; everything else goes to the routes below.
 */
for (const kind of ["tree", "blob"] as const) {
  browseApi.use(`/projects/:owner/:project/${kind}/*`, async (c, next) => {
    const raw = rawRefPath(c, kind);
    return raw ? routes[kind](c, raw.owner, raw.project, raw.rest) : next();
  });
}

browseApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/refs`,
    ...PUBLIC,
    tags: ["code"],
    summary: "Branches and tags, and the default branch",
    request: { params: z.object({ owner, project }) },
    responses: { 200: json(RefsSchema, "The repository's refs"), 404: problems[404] },
  }),
  async (c) => {
    const { owner: o, project: p } = c.req.valid("param");
    const repo = await repoFor(c, o, p);
    return c.json(refsJson(repo.refs), 200);
  },
);

browseApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/tree/{ref}`,
    ...PUBLIC,
    tags: ["code"],
    summary: "The root directory at a ref, each entry with the last commit that changed it",
    request: { params: z.object({ owner, project, ref }) },
    responses: { 200: json(TreeSchema, "Directory entries, directories first"), ...notFoundRef },
  }),
  (c) => {
    const v = c.req.valid("param");
    return tree(c, v.owner, v.project, v.ref);
  },
);

browseApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/tree/{ref}/{path}`,
    ...PUBLIC,
    tags: ["code"],
    summary: "A directory at a ref, each entry with the last commit that changed it",
    request: { params: z.object({ owner, project, ref, path }) },
    responses: { 200: json(TreeSchema, "Directory entries, directories first"), ...notFoundRef },
  }),
  (c) => {
    const v = c.req.valid("param");
    return tree(c, v.owner, v.project, `${v.ref}/${v.path}`);
  },
);

browseApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/blob/{ref}/{path}`,
    ...PUBLIC,
    tags: ["code"],
    summary: "A file at a ref: UTF-8 text, or base64 for binary (or non-UTF-8) content",
    request: { params: z.object({ owner, project, ref, path }) },
    responses: {
      200: json(BlobSchema, "The file"),
      ...notFoundRef,
      413: problems[413],
    },
  }),
  (c) => {
    const v = c.req.valid("param");
    return blob(c, v.owner, v.project, `${v.ref}/${v.path}`);
  },
);

browseApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/commits`,
    ...PUBLIC,
    tags: ["code"],
    summary: "Commit history, newest first (a Link header points to the next page)",
    request: {
      params: z.object({ owner, project }),
      query: z.object({
        ref: z.string().max(255).optional().openapi({ description: "Default: the default branch" }),
        path: z.string().max(4096).optional().openapi({ description: "Only commits touching this path" }),
        page: z.coerce.number().int().min(1).max(1000).default(1).optional(),
        per_page: z.coerce.number().int().min(1).max(100).default(30).optional(),
      }),
    },
    responses: { 200: json(z.array(CommitSchema), "Commits"), ...notFoundRef },
  }),
  async (c) => {
    const { owner: o, project: p } = c.req.valid("param");
    const q = c.req.valid("query");
    const repo = await repoFor(c, o, p);
    const filePath = checkPath(q.path);
    const loc = await locateRef(repo, q.ref);
    if (!loc) return c.json([], 200);
    const pageNo = q.page ?? 1;
    const perPage = q.per_page ?? 30;
    const { commits, hasMore } = await commitPage(repo, loc, filePath, pageNo, perPage);
    if (hasMore && pageNo < 1000) {
      const next = new URL(c.req.url);
      next.searchParams.set("page", String(pageNo + 1));
      c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
    }
    return c.json(commits.map(commitJson), 200);
  },
);

browseApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/commits/{sha}`,
    ...PUBLIC,
    tags: ["code"],
    summary: "One commit: message, parents, changed files and the patch against its first parent",
    request: {
      params: z.object({
        owner,
        project,
        sha: z.string().min(1).max(255).openapi({ description: "A commit id (or branch or tag)" }),
      }),
    },
    responses: { 200: json(CommitDetailSchema, "The commit"), ...notFoundRef },
  }),
  async (c) => {
    const { owner: o, project: p, sha } = c.req.valid("param");
    const repo = await repoFor(c, o, p);
    return c.json(commitDetailJson(await commitDetail(repo, sha)), 200);
  },
);
