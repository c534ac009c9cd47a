// Federation over the API (scope user): follow a remote ActivityPub actor by handle
// (name@host, WebFinger) or URL, unfollow it (Undo), list whom you follow there, and read what
// they sent you (landings of remote projects, as text).

import { Follow, Undo } from "@fedify/fedify";
import { createRoute, z } from "@hono/zod-openapi";
import { ulid } from "@micelio/core/ulid";
import type { Context } from "hono";
import { apiRouter, json, jsonBody, problems, requireUser, scoped } from "../api/openapi.ts";
import { recordAudit } from "../audit/audit.ts";
import { forbidden, notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import {
  enqueueDelivery,
  FederationError,
  federationOf,
  localActor,
  lookupRemoteActor,
} from "./federation.ts";

export const federationApi = apiRouter();

const Target = z
  .object({ actor: z.string().min(3).max(500).openapi({ example: "ada.compiler@forge.example" }) })
  .openapi("FederationFollowRequest");
const Following = z
  .object({
    actor: z.string(),
    handle: z.string(),
    state: z.enum(["pending", "accepted"]),
    created_at: z.string(),
  })
  .openapi("FederationFollowing");
const InboxItem = z
  .object({
    id: z.number(),
    actor: z.string(),
    content: z.string(),
    url: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("FederationInboxItem");

function context(c: Context<AppEnv>) {
  const forge = c.get("forge");
  if (!forge.config.federation.enabled) throw notFound("Federation is turned off on this instance");
  return {
    forge,
    ctx: federationOf(forge).createContext(
      new URL(forge.config.publicUrl ?? new URL(c.req.url).origin),
      forge,
    ),
  };
}

async function remote(c: Context<AppEnv>, handle: string) {
  const { forge } = context(c);
  try {
    return await lookupRemoteActor(forge, handle);
  } catch (err) {
    if (err instanceof FederationError && err.reason === "blocked") throw forbidden(err.message);
    if (err instanceof FederationError) throw notFound(err.message);
    throw err;
  }
}

federationApi.openapi(
  createRoute({
    method: "post",
    path: "/user/federation/follow",
    tags: ["federation"],
    summary: "Follow a remote ActivityPub actor (name@host or an actor URL); pending until it accepts",
    ...scoped("user"),
    request: { body: jsonBody(Target) },
    responses: {
      200: json(Following, "The follow (pending until the remote accepts)"),
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { forge, ctx } = context(c);
    const me = await localActor(forge.db, user.handle);
    if (!me) throw forbidden("Your account cannot federate");
    const handle = c.req.valid("json").actor.trim();
    const actor = await remote(c, handle);
    const actorId = actor.id as URL;
    if (new URL(actorId).origin === ctx.origin) throw forbidden("That actor is on this instance");
    const follow = new Follow({
      id: new URL(`${ctx.getActorUri(me.identifier).href}#follows/${ulid().toLowerCase()}`),
      actor: ctx.getActorUri(me.identifier),
      object: actorId,
    });
    const inbox = actor.inboxId as URL;
    const row = await forge.db.transaction().execute(async (trx) => {
      const kept = await trx
        .insertInto("federation_following")
        .values({
          user_id: user.id,
          actor_uri: actorId.href,
          handle,
          inbox_url: inbox.href,
          follow_id: follow.id?.href ?? "",
        })
        .onConflict((oc) =>
          oc
            .columns(["user_id", "actor_uri"])
            .doUpdateSet({ follow_id: follow.id?.href ?? "", inbox_url: inbox.href }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, c.get("viewer"), {
        action: "federation.follow",
        targetType: "actor",
        targetId: actorId.href,
        target: handle,
      });
      await enqueueDelivery(ctx, me, inbox, follow, { db: trx });
      return kept;
    });
    return c.json(
      {
        actor: row.actor_uri,
        handle: row.handle,
        state: row.state,
        created_at: row.created_at.toISOString(),
      },
      200,
    );
  },
);

federationApi.openapi(
  createRoute({
    method: "delete",
    path: "/user/federation/follow",
    tags: ["federation"],
    summary: "Stop following a remote actor (sends Undo); 204 also when you did not follow it",
    ...scoped("user"),
    request: { body: jsonBody(Target) },
    responses: { 204: { description: "Not following" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const user = requireUser(c);
    const { forge, ctx } = context(c);
    const me = await localActor(forge.db, user.handle);
    if (!me) throw forbidden("Your account cannot federate");
    const given = c.req.valid("json").actor.trim();
    const row = await forge.db
      .selectFrom("federation_following")
      .selectAll()
      .where("user_id", "=", user.id)
      .where((eb) => eb.or([eb("actor_uri", "=", given), eb("handle", "=", given)]))
      .executeTakeFirst();
    if (!row) return c.body(null, 204);
    const undo = new Undo({
      id: new URL(`${ctx.getActorUri(me.identifier).href}#undo/${ulid().toLowerCase()}`),
      actor: ctx.getActorUri(me.identifier),
      object: new Follow({
        id: new URL(row.follow_id),
        actor: ctx.getActorUri(me.identifier),
        object: new URL(row.actor_uri),
      }),
    });
    await forge.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom("federation_following")
        .where("user_id", "=", user.id)
        .where("actor_uri", "=", row.actor_uri)
        .execute();
      await recordAudit(trx, c.get("viewer"), {
        action: "federation.unfollow",
        targetType: "actor",
        targetId: row.actor_uri,
        target: row.handle,
      });
      await enqueueDelivery(ctx, me, new URL(row.inbox_url), undo, { db: trx });
    });
    return c.body(null, 204);
  },
);

federationApi.openapi(
  createRoute({
    method: "get",
    path: "/user/federation/following",
    tags: ["federation"],
    summary: "The remote actors you follow",
    ...scoped("user"),
    responses: { 200: json(z.object({ items: z.array(Following) }), "Follows"), 401: problems[401] },
  }),
  async (c) => {
    const user = requireUser(c);
    const rows = await c
      .get("forge")
      .db.selectFrom("federation_following")
      .selectAll()
      .where("user_id", "=", user.id)
      .orderBy("created_at", "desc")
      .execute();
    return c.json(
      {
        items: rows.map((r) => ({
          actor: r.actor_uri,
          handle: r.handle,
          state: r.state,
          created_at: r.created_at.toISOString(),
        })),
      },
      200,
    );
  },
);

federationApi.openapi(
  createRoute({
    method: "get",
    path: "/user/federation/inbox",
    tags: ["federation"],
    summary: "What the remote actors you follow sent you, newest first (text only)",
    ...scoped("user"),
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }) },
    responses: { 200: json(z.object({ items: z.array(InboxItem) }), "Received items"), 401: problems[401] },
  }),
  async (c) => {
    const user = requireUser(c);
    const rows = await c
      .get("forge")
      .db.selectFrom("federation_inbox")
      .selectAll()
      .where("user_id", "=", user.id)
      .orderBy("id", "desc")
      .limit(c.req.valid("query").limit ?? 50)
      .execute();
    return c.json(
      {
        items: rows.map((r) => ({
          id: Number(r.id),
          actor: r.actor_uri,
          content: r.content,
          url: r.url,
          created_at: r.created_at.toISOString(),
        })),
      },
      200,
    );
  },
);
