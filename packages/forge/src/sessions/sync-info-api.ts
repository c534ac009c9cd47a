// JSON API: GET /projects/{owner}/{project}/sessions/{id}/sync-info — what landed on trunk
// since the session's base and which of it conflicts with the session (sync-info.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, PUBLIC, problems } from "../api/openapi.ts";
import { SYNC_INFO_LANDINGS, syncInfo } from "./sync-info.ts";

export const syncInfoApi = apiRouter();

const Conflict = z.object({
  path: z.string(),
  position: z.number().int(),
  session_id: z.string().nullable(),
  goal: z.string().nullable(),
  author: z.string().nullable(),
  agent: z.string().nullable(),
});

syncInfoApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/sync-info",
    ...PUBLIC,
    tags: ["sessions"],
    summary: "What landed on trunk since the session's base, and what of it conflicts with the session",
    description: `The trunk head, how many landings the session is behind, the newest ${SYNC_INFO_LANDINGS} landings since its base, the paths the session changes and its conflicts with those landings (empty: a land should not conflict). Nothing moves: POST …/sync does.`,
    request: {
      params: z.object({ owner: z.string().max(100), project: z.string().max(200), id: z.string().max(40) }),
    },
    responses: {
      200: json(
        z
          .object({
            session_id: z.string(),
            status: z.string(),
            base_position: z.number().int(),
            head_position: z.number().int(),
            behind: z.number().int(),
            paths: z.array(z.string()),
            landings: z.array(z.record(z.string(), z.unknown())),
            landings_truncated: z.boolean(),
            conflicts: z.array(Conflict),
          })
          .openapi("SyncInfo"),
        "What changed since the base",
      ),
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    return c.json(await syncInfo(c.get("forge"), c.get("viewer"), owner, project, id), 200);
  },
);
