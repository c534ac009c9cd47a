// JSON API for a session's review comments: list (anyone who may read the project, filtered
// by kind), add (signed-in readers: members for a private project; also on closed sessions),
// edit or resolve, delete. The rules live in comments-service.ts.

import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import {
  COMMENT_KINDS,
  commentsAs,
  createComment,
  createCommentSchema,
  deleteComment,
  updateComment,
  updateCommentSchema,
} from "./comments-service.ts";

export const commentsApi = apiRouter();
const S = z.object({ owner: z.string().max(100), project: z.string().max(200), id: z.string().max(40) });
const C = S.extend({ comment: z.string().max(40) });
const Comment = z
  .object({
    id: z.string(),
    session_id: z.string(),
    kind: z.enum(COMMENT_KINDS),
    author: z.string(),
    body: z.string().openapi({ description: "Markdown" }),
    path: z.string().nullable(),
    line: z.number().int().nullable(),
    suggested_prompt: z.string().nullable(),
    resolved: z.boolean(),
    resolved_at: z.string().nullable(),
    resolved_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("SessionComment");
const tags = ["reviews"];
const path = "/projects/{owner}/{project}/sessions/{id}/comments";

commentsApi.openapi(
  createRoute({
    method: "get",
    path,
    ...PUBLIC,
    tags,
    summary: "A session's review comments, oldest first",
    description:
      "Comments, change requests and prompt improvement suggestions (kind prompt-suggestion, with suggested_prompt: a rewritten prompt to retry with). An agent reads these before retrying a session.",
    request: {
      params: S,
      query: z.object({
        kind: z.enum(COMMENT_KINDS).optional(),
        after: z.string().max(40).optional().openapi({ description: "Only comments after this comment id" }),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
    },
    responses: { 200: json(z.array(Comment), "Comments"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    const db = c.get("forge").db;
    return c.json(await commentsAs(db, c.get("viewer"), owner, project, id, c.req.valid("query")), 200);
  },
);

commentsApi.openapi(
  createRoute({
    method: "post",
    path,
    ...scoped("session:write"),
    tags,
    summary: "Comment on a session (any signed-in user who may read the project)",
    description:
      "kind: comment (default), change-request or prompt-suggestion. A comment may name a file of the change (path) and a line of it. Closed sessions take comments too (post-landing review).",
    request: { params: S, body: jsonBody(createCommentSchema.openapi("CreateSessionCommentRequest")) },
    responses: {
      201: json(Comment, "The comment"),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const forge = c.get("forge");
    return c.json(await createComment(forge, c.get("viewer"), owner, project, id, c.req.valid("json")), 201);
  },
);

commentsApi.openapi(
  createRoute({
    method: "patch",
    path: `${path}/{comment}`,
    ...scoped("session:write"),
    tags,
    summary: "Edit a comment (its author) or resolve it (project administrators, the session's author)",
    request: { params: C, body: jsonBody(updateCommentSchema.openapi("UpdateSessionCommentRequest")) },
    responses: { 200: json(Comment, "The comment"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    const at = c.req.valid("param");
    return c.json(await updateComment(c.get("forge").db, c.get("viewer"), at, c.req.valid("json")), 200);
  },
);

commentsApi.openapi(
  createRoute({
    method: "delete",
    path: `${path}/{comment}`,
    ...scoped("session:write"),
    tags,
    summary: "Delete a comment (its author or project administrators)",
    request: { params: C },
    responses: { 204: { description: "Deleted" }, 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    await deleteComment(c.get("forge").db, c.get("viewer"), c.req.valid("param"));
    return c.body(null, 204);
  },
);
