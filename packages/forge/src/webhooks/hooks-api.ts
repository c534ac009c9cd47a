// Webhooks over the API: a project's (administrators, project:write) and an organization's
// (owners, org:admin) hooks — create, list, read, change, delete — and each hook's delivery log
// with redelivery. One set of handlers serves both, by the scope the path names.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, jsonBody, problems, requireUser, scoped } from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { redeliver } from "./deliver.ts";
import { HOOK_EVENTS } from "./hook-events.ts";
import {
  createHook,
  deleteHook,
  getHook,
  type HookScope,
  hookInputSchema,
  hookJson,
  hookPatchSchema,
  listDeliveries,
  listHooks,
  updateHook,
} from "./hooks-service.ts";

export const hooksApi = apiRouter();

const Hook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    format: z.enum(["json", "slack", "discord"]),
    active: z.boolean(),
    failures_in_row: z.number(),
    disabled_reason: z.string().nullable(),
    created_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Webhook");
const CreatedHook = Hook.extend({ secret: z.string().openapi({ description: "Shown once" }) }).openapi(
  "CreatedWebhook",
);
const Delivery = z
  .object({
    id: z.string(),
    event: z.string(),
    redelivery_of: z.string().nullable(),
    state: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number(),
    status: z.number().nullable(),
    response_excerpt: z.string().nullable(),
    error: z.string().nullable(),
    duration_ms: z.number().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("WebhookDelivery");

const Input = hookInputSchema.openapi("WebhookRequest", {
  description: `events: any of ${HOOK_EVENTS.join(", ")}. secret: generated when omitted (the answer shows it once).`,
});
const Patch = hookPatchSchema.openapi("WebhookPatch");

const places = [
  {
    prefix: "/projects/{owner}/{project}",
    params: z.object({ owner: z.string().max(100), project: z.string().max(200) }),
    scope: "project:write" as const,
    who: "project administrators",
    tag: "projects",
    of: (c: Context<AppEnv>): HookScope => ({
      kind: "project",
      owner: c.req.param("owner")!,
      project: c.req.param("project")!,
    }),
  },
  {
    prefix: "/orgs/{org}",
    params: z.object({ org: z.string().max(100) }),
    scope: "org:admin" as const,
    who: "organization owners",
    tag: "organizations",
    of: (c: Context<AppEnv>): HookScope => ({ kind: "org", org: c.req.param("org")! }),
  },
];

const deps = (c: Context<AppEnv>) => {
  const f = c.get("forge");
  return { db: f.db, secrets: f.secrets, outbound: f.outbound };
};
const errors = { 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] };

for (const at of places) {
  const P = at.params;
  const H = P.extend({ id: z.string().max(40) });

  hooksApi.openapi(
    createRoute({
      method: "post",
      path: `${at.prefix}/hooks`,
      tags: [at.tag],
      summary: `Add a webhook (${at.who})`,
      description:
        "The URL is refused when it resolves to a loopback, private, link-local or metadata address (and checked again at every delivery). Deliveries are POSTs signed with X-Micelio-Signature-256: sha256=<HMAC-SHA256 of the body with the secret>.",
      ...scoped(at.scope),
      request: { params: P, body: jsonBody(Input) },
      responses: { 201: json(CreatedHook, "The hook, with its secret (shown once)"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await createHook(deps(c), c.get("viewer"), at.of(c), c.req.valid("json")), 201) as never;
    },
  );

  hooksApi.openapi(
    createRoute({
      method: "get",
      path: `${at.prefix}/hooks`,
      tags: [at.tag],
      summary: `List webhooks (${at.who})`,
      ...scoped(at.scope),
      request: { params: P },
      responses: { 200: json(z.array(Hook), "The hooks"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await listHooks(c.get("forge").db, c.get("viewer"), at.of(c)), 200) as never;
    },
  );

  hooksApi.openapi(
    createRoute({
      method: "get",
      path: `${at.prefix}/hooks/{id}`,
      tags: [at.tag],
      summary: `Read a webhook (${at.who})`,
      ...scoped(at.scope),
      request: { params: H },
      responses: { 200: json(Hook, "The hook"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      const { hook } = await getHook(c.get("forge").db, c.get("viewer"), at.of(c), c.req.param("id")!);
      return c.json(hookJson(hook), 200) as never;
    },
  );

  hooksApi.openapi(
    createRoute({
      method: "patch",
      path: `${at.prefix}/hooks/{id}`,
      tags: [at.tag],
      summary: `Change a webhook (${at.who}); active: true turns a disabled hook back on`,
      ...scoped(at.scope),
      request: { params: H, body: jsonBody(Patch) },
      responses: { 200: json(Hook, "The hook"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      return c.json(
        await updateHook(deps(c), c.get("viewer"), at.of(c), c.req.param("id")!, c.req.valid("json")),
        200,
      ) as never;
    },
  );

  hooksApi.openapi(
    createRoute({
      method: "delete",
      path: `${at.prefix}/hooks/{id}`,
      tags: [at.tag],
      summary: `Delete a webhook (${at.who})`,
      ...scoped(at.scope),
      request: { params: H },
      responses: { 204: { description: "Deleted" }, ...errors },
    }),
    async (c) => {
      requireUser(c);
      await deleteHook(c.get("forge").db, c.get("viewer"), at.of(c), c.req.param("id")!);
      return c.body(null, 204) as never;
    },
  );

  hooksApi.openapi(
    createRoute({
      method: "get",
      path: `${at.prefix}/hooks/{id}/deliveries`,
      tags: [at.tag],
      summary: `A webhook's recent deliveries, newest first (${at.who})`,
      ...scoped(at.scope),
      request: { params: H, query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }) },
      responses: { 200: json(z.array(Delivery), "The deliveries"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      const list = await listDeliveries(
        c.get("forge").db,
        c.get("viewer"),
        at.of(c),
        c.req.param("id")!,
        c.req.valid("query").limit,
      );
      return c.json(list, 200) as never;
    },
  );

  hooksApi.openapi(
    createRoute({
      method: "post",
      path: `${at.prefix}/hooks/{id}/deliveries/{delivery}/redeliver`,
      tags: [at.tag],
      summary: `Send a delivery again, as a new delivery (${at.who})`,
      ...scoped(at.scope),
      request: { params: H.extend({ delivery: z.string().max(64) }) },
      responses: {
        202: json(z.object({ id: z.string(), redelivery_of: z.string() }), "The new delivery, queued"),
        ...errors,
      },
    }),
    async (c) => {
      requireUser(c);
      const db = c.get("forge").db;
      const { hook } = await getHook(db, c.get("viewer"), at.of(c), c.req.param("id")!);
      const delivery = c.req.param("delivery")!;
      const id = await redeliver(db, hook.id, delivery);
      if (!id) throw notFound("No such delivery");
      return c.json({ id, redelivery_of: delivery }, 202) as never;
    },
  );
}
