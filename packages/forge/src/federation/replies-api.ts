// Moderating remote replies over the API (project administrators, token scope project:write):
// list a project's replies by state (pending by default), approve one (it shows on the session
// page), reject one. Private projects are not federated and answer 404.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, problems, requireUser, scoped } from "../api/openapi.ts";
import { listReplies, moderateReply, REPLY_STATES } from "./replies.ts";

export const repliesApi = apiRouter();

const Reply = z
  .object({
    id: z.number(),
    session_id: z.string(),
    author: z.string().openapi({ description: "The remote account, name@host" }),
    actor: z.string().openapi({ description: "The remote actor's URL" }),
    url: z.string().nullable().openapi({ description: "The note on its instance (http or https)" }),
    content: z.string().openapi({ description: "Plain text (remote HTML is reduced to text)" }),
    state: z.enum(REPLY_STATES),
    moderated_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("RemoteReply");

const ProjectParams = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const ReplyParams = ProjectParams.extend({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

repliesApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/federation/replies",
    tags: ["federation"],
    summary: "Replies from remote accounts to the project's published notes, oldest first (administrators)",
    ...scoped("project:write"),
    request: {
      params: ProjectParams,
      query: z.object({
        state: z
          .enum(REPLY_STATES)
          .optional()
          .openapi({ description: "pending (default), approved or rejected" }),
        session: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(Reply) }), "Replies"),
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    const items = await listReplies(c.get("forge").db, c.get("viewer"), owner, project, c.req.valid("query"));
    return c.json({ items }, 200);
  },
);

for (const [verb, decision] of [
  ["approve", "approved"],
  ["reject", "rejected"],
] as const)
  repliesApi.openapi(
    createRoute({
      method: "post",
      path: `/projects/{owner}/{project}/federation/replies/{id}/${verb}`,
      tags: ["federation"],
      summary:
        verb === "approve"
          ? "Approve a remote reply: it shows on its session's page, marked as remote"
          : "Reject a remote reply: it is not shown, and the same note is not queued again",
      ...scoped("project:write"),
      request: { params: ReplyParams },
      responses: {
        200: json(Reply, "The reply"),
        401: problems[401],
        403: problems[403],
        404: problems[404],
      },
    }),
    async (c) => {
      requireUser(c);
      const at = c.req.valid("param");
      return c.json(await moderateReply(c.get("forge").db, c.get("viewer"), at, decision), 200);
    },
  );
