// JSON API for following: follow/unfollow a user or organization (idempotent, 204), check a
// follow, and list an account's followers and whom a user follows.
import { createRoute, z } from "@hono/zod-openapi";
import { getVisibleAccount, userJson } from "../accounts/accounts-service.ts";
import {
  apiRouter,
  json,
  Pagination,
  PUBLIC,
  problems,
  requireUser,
  SIGNED_IN,
  scoped,
  UserSchema,
} from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import { isFollowing, listFollows, setFollow } from "./follows-service.ts";

export const followsApi = apiRouter();
const handleParam = z.object({ handle: z.string().max(100) });
const FollowSchema = UserSchema.extend({ followed_at: z.string() }).openapi("Follow");

followsApi.openapi(
  createRoute({
    method: "get",
    path: "/user/following/{handle}",
    tags: ["follows"],
    summary: "204 if you follow the account, 404 if not",
    ...SIGNED_IN,
    request: { params: handleParam },
    responses: { 204: { description: "Following" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const user = requireUser(c);
    const db = c.get("forge").db;
    const target = await getVisibleAccount(db, c.get("viewer"), c.req.valid("param").handle);
    if (!(await isFollowing(db, user.id, target.id))) throw notFound("Not following");
    return c.body(null, 204);
  },
);

for (const [method, on] of [
  ["put", true],
  ["delete", false],
] as const) {
  followsApi.openapi(
    createRoute({
      method,
      path: "/user/following/{handle}",
      tags: ["follows"],
      summary: on
        ? "Follow a user or organization (idempotent)"
        : "Unfollow a user or organization (idempotent)",
      ...scoped("user"),
      request: { params: handleParam },
      responses: {
        204: { description: on ? "Following" : "Not following" },
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
      },
    }),
    async (c) => {
      await setFollow(c.get("forge").db, c.get("viewer"), c.req.valid("param").handle, on);
      return c.body(null, 204);
    },
  );
}

for (const direction of ["followers", "following"] as const) {
  followsApi.openapi(
    createRoute({
      method: "get",
      path: `/users/{handle}/${direction}`,
      ...PUBLIC,
      tags: ["follows"],
      summary:
        direction === "followers"
          ? "Who follows a user or organization, most recent first"
          : "Whom a user follows, most recent first",
      request: { params: handleParam, query: Pagination },
      responses: { 200: json(z.array(FollowSchema), "Accounts"), 404: problems[404] },
    }),
    async (c) => {
      const rows = await listFollows(
        c.get("forge").db,
        c.get("viewer"),
        c.req.valid("param").handle,
        direction,
        c.req.valid("query"),
      );
      return c.json(
        rows.map((a) => ({ ...userJson(a), followed_at: a.followed_at.toISOString() })),
        200,
      );
    },
  );
}
