// Per-account artifact storage over the API: PUT (check the bucket, then set), GET (never the
// secret), DELETE, for the signed-in user (/user/storage, scope user) and for an organization
// (/orgs/{org}/storage, its owners, scope org:admin). One set of handlers serves both.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, jsonBody, problems, requireUser, scoped } from "../api/openapi.ts";
import type { AppEnv } from "../http/context.ts";
import { deleteStorage, getStorage, type StorageScope, saveStorage } from "./storage-service.ts";
import { PROVIDERS, storageInputSchema } from "./storage-settings.ts";

export const storageApi = apiRouter();

const Storage = z
  .object({
    provider: z.enum(PROVIDERS),
    bucket: z.string(),
    region: z.string(),
    endpoint: z.string().nullable(),
    path_prefix: z.string(),
    access_key_id_hint: z.string().openapi({ description: "The access key id's last 4 characters" }),
    status: z.enum(["ok", "failing", "unvalidated"]),
    validated_at: z.string().nullable(),
    last_error: z.string().nullable().openapi({
      description: "Why the bucket last failed (then artifacts fell back to the instance store)",
    }),
    failing_since: z.string().nullable(),
    updated_at: z.string(),
  })
  .openapi("AccountStorage");
const Saved = Storage.extend({ validation_log: z.array(z.string()) }).openapi("AccountStorageSaved");
const Input = storageInputSchema.openapi("AccountStorageRequest", {
  description:
    "region: required for Amazon S3, Spaces, Wasabi and B2 (R2 uses auto; MinIO and custom default to us-east-1). endpoint: required except for Amazon S3 (Spaces, Wasabi and B2 endpoints follow from the region). The secret is sealed at rest and never returned.",
});

const places = [
  {
    path: "/user/storage",
    params: z.object({}),
    scope: "user" as const,
    who: "your own",
    tag: "user",
    of: (_c: Context<AppEnv>): StorageScope => ({ kind: "user" }),
  },
  {
    path: "/orgs/{org}/storage",
    params: z.object({ org: z.string().max(100) }),
    scope: "org:admin" as const,
    who: "an organization's, owners only",
    tag: "organizations",
    of: (c: Context<AppEnv>): StorageScope => ({ kind: "org", org: c.req.param("org")! }),
  },
];

const deps = (c: Context<AppEnv>) => {
  const f = c.get("forge");
  return { db: f.db, secrets: f.secrets, outbound: f.outbound, limiter: f.limiter };
};
const errors = { 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] };

for (const at of places) {
  storageApi.openapi(
    createRoute({
      method: "put",
      path: at.path,
      tags: [at.tag],
      summary: `Set artifact storage to a bucket (${at.who})`,
      description:
        "The bucket is checked first (HeadBucket, then writing, reading and deleting a test object) through the outbound guard: an endpoint on a private address is refused unless the operator allows it. A failed check answers 400 with the reason and validation_log.",
      ...scoped(at.scope),
      request: { params: at.params, body: jsonBody(Input) },
      responses: { 200: json(Saved, "The settings, checked and saved"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await saveStorage(deps(c), c.get("viewer"), at.of(c), c.req.valid("json")), 200) as never;
    },
  );

  storageApi.openapi(
    createRoute({
      method: "get",
      path: at.path,
      tags: [at.tag],
      summary: `Read artifact storage settings (${at.who}); never the secret`,
      ...scoped(at.scope),
      request: { params: at.params },
      responses: { 200: json(Storage, "The settings and their state"), ...errors },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await getStorage(deps(c), c.get("viewer"), at.of(c)), 200) as never;
    },
  );

  storageApi.openapi(
    createRoute({
      method: "delete",
      path: at.path,
      tags: [at.tag],
      summary: `Remove artifact storage settings (${at.who}): artifacts go to the instance store`,
      ...scoped(at.scope),
      request: { params: at.params },
      responses: { 204: { description: "Removed" }, ...errors },
    }),
    async (c) => {
      requireUser(c);
      await deleteStorage(deps(c), c.get("viewer"), at.of(c));
      return c.body(null, 204) as never;
    },
  );
}
