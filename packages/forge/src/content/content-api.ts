// JSON API for content by object id (content-service.ts): resolve a position or ref to its
// commit and root tree, list a tree, read a blob's bytes (Range, ETag, immutable caching for
// public projects, `private` for private ones) and many objects in one framed answer. Used by
// mic-fs (`mic mount`), which fetches lazily and keeps what it read in a local cache.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, jsonBody, PUBLIC, problems } from "../api/openapi.ts";
import type { AppEnv } from "../http/context.ts";
import { publicOrigin } from "../meta/urls.ts";
import { listingDelta, MAX_DELTA_BLOB } from "./batch-deltas.ts";
import { encodeBody } from "./compress.ts";
import {
  batchFrames,
  blobBytes,
  type ContentRepo,
  MAX_BATCH_BYTES,
  MAX_BATCH_IDS,
  openContent,
  openSigned,
  resolvePosition,
  treeEntries,
} from "./content-service.ts";
import { objectUrlTemplate } from "./object-urls.ts";
import { bytesAnswer } from "./range.ts";

export const contentApi = apiRouter();

const owner = z.string().max(100);
const project = z.string().max(200);
const sha = z.string().max(64).openapi({ description: "A full object id (40 hex digits)" });
const base = "/projects/{owner}/{project}";
const open = (c: Context<AppEnv>, o: string, p: string) => openContent(c.get("forge"), c.get("viewer"), o, p);

/** Objects never change: public ones may be kept by anyone, private ones only by the caller. */
const cacheHeaders = (repo: ContentRepo, etag: string) => ({
  "Cache-Control": `${repo.public ? "public" : "private"}, max-age=31536000, immutable`,
  ETag: `"${etag}"`,
  "X-Content-Type-Options": "nosniff",
  ...(repo.public ? {} : { Vary: "Authorization, Cookie" }),
});

/** If-None-Match names this object (in any encoding: the ETag of a compressed answer is `"<id>.br"`). */
const matches = (c: Context<AppEnv>, etag: string) =>
  c.req
    .header("if-none-match")
    ?.split(/\s*,\s*/)
    .some((t) => /^(?:W\/)?"([0-9a-f]{40})(?:\.(?:br|gzip))?"$/.exec(t)?.[1] === etag) ?? false;

const Resolved = z
  .object({
    commit: z.string().nullable().openapi({ description: "null on an empty trunk" }),
    tree: z.string(),
    position: z.number().int().nullable().openapi({ description: "The trunk position, when `at` names one" }),
    head_position: z.number().int(),
    objects_url: z.string().openapi({
      description:
        "Where to GET this project's blobs by id (`{sha}` stands for the id): on MICELIO_CDN_URL when the instance has one; for a private project a signed URL that needs no credentials until `objects_url_expires_at`",
    }),
    objects_url_expires_at: z.string().nullable(),
  })
  .openapi("ResolvedPosition");

contentApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/resolve`,
    ...PUBLIC,
    tags: ["code"],
    summary: "A trunk position or ref as its commit and root tree",
    description:
      "`at` is a trunk position (digits), a branch, tag or commit id; without it, the default branch at trunk's head. Not cacheable: refs move.",
    request: {
      params: z.object({ owner, project }),
      query: z.object({ at: z.string().max(255).optional() }),
    },
    responses: { 200: json(Resolved, "The commit and tree"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { owner: o, project: p } = c.req.valid("param");
    const repo = await open(c, o, p);
    const forge = c.get("forge");
    const r = await resolvePosition(forge, repo, c.req.valid("query").at);
    const objects = objectUrlTemplate(forge, publicOrigin(c), repo.project);
    return c.json(
      { ...r, objects_url: objects.url, objects_url_expires_at: objects.expires_at },
      200,
      // A signed URL must not outlive its answer in a shared cache.
      { "Cache-Control": repo.public ? "no-cache" : "private, no-store" },
    );
  },
);

const Entry = z.object({
  name: z.string(),
  mode: z.string().openapi({ example: "100644" }),
  type: z.enum(["blob", "tree", "commit"]),
  sha: z.string(),
  size: z.number().int().nullable().openapi({ description: "Blob size; null for trees and submodules" }),
});
const Tree = z.object({ sha: z.string(), entries: z.array(Entry) }).openapi("TreeObject");

contentApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/trees/{sha}`,
    ...PUBLIC,
    tags: ["code"],
    summary: "A tree by id: its entries in git's order, with blob sizes (immutable)",
    description: 'Compressed (br or gzip) when Accept-Encoding allows; the ETag is then `"<id>.<encoding>"`.',
    request: {
      params: z.object({ owner, project, sha }),
      query: z.object({
        base: z.string().max(64).optional().openapi({
          description:
            "A tree of this project the client has listed (the same directory at an earlier position): the answer may then be `application/x-git-delta` with `X-Delta-Base: <base>`, git's pack delta from that tree's `entries` to this one's (each as `JSON.stringify` of the array)",
        }),
      }),
    },
    responses: {
      200: json(Tree, "The tree's entries (or, with `base`, possibly a delta of them)"),
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner: o, project: p, sha: id } = c.req.valid("param");
    const repo = await open(c, o, p);
    const entries = await treeEntries(repo, id);
    const { Vary, ...headers } = cacheHeaders(repo, id);
    const base = c.req.valid("query").base;
    const delta = base ? await listingDelta(repo, entries, base) : null;
    if (delta) {
      const packed = await encodeBody(delta, c.req.header("accept-encoding"), Vary);
      return c.body(packed.body, 200, {
        ...headers,
        ...packed.headers,
        ETag: `"${id}.from.${base}"`,
        "Content-Type": "application/x-git-delta",
        "X-Delta-Base": base!,
      }) as never;
    }
    const json = Buffer.from(JSON.stringify({ sha: id, entries }));
    const encoded = await encodeBody(json, c.req.header("accept-encoding"), Vary);
    const enc = encoded.headers["Content-Encoding"];
    const all = { ...headers, ...encoded.headers, ...(enc ? { ETag: `"${id}.${enc}"` } : {}) };
    if (matches(c, id)) return c.body(null, 304, all) as never;
    return c.body(encoded.body, 200, { ...all, "Content-Type": "application/json" }) as never;
  },
);

contentApi.openapi(
  createRoute({
    method: "get",
    path: `${base}/objects/{sha}`,
    ...PUBLIC,
    tags: ["code"],
    summary: "A blob's bytes by id (immutable; Range requests answered with 206)",
    description:
      "With `expires` and `sig` (a private project's signed URL from `…/resolve`'s `objects_url`), no credentials are needed until it expires.",
    request: {
      params: z.object({ owner, project, sha }),
      query: z.object({ expires: z.string().max(20).optional(), sig: z.string().max(128).optional() }),
    },
    responses: {
      200: { description: "The blob's bytes (application/octet-stream)" },
      206: { description: "The requested byte range" },
      404: problems[404],
      413: problems[413],
      416: { description: "The range lies outside the blob" },
    },
  }),
  (async (c: Context<AppEnv>) => {
    const { owner: o, project: p, sha: id } = c.req.param() as Record<string, string>;
    const signature = { expires: c.req.query("expires"), sig: c.req.query("sig") };
    // A signed URL (object-urls.ts) stands for the credentials; a wrong or old one is a 404.
    const signed = signature.sig !== undefined ? await openSigned(c.get("forge"), o!, p!, signature) : null;
    const repo = signed ?? (await open(c, o!, p!));
    const data = await blobBytes(repo, id!);
    const headers: Record<string, string> = {
      ...cacheHeaders(repo, id!),
      // Anyone with the signed URL may read it until it expires, a shared cache too, no longer.
      ...(signed && !signed.public ? { "Cache-Control": `public, max-age=${signed.secondsLeft}` } : {}),
      "Content-Type": "application/octet-stream",
      "Accept-Ranges": "bytes",
    };
    return bytesAnswer(c, data, headers, matches(c, id!));
  }) as never,
);

contentApi.openapi(
  createRoute({
    method: "post",
    path: `${base}/objects/batch`,
    ...PUBLIC,
    tags: ["code"],
    summary: "Many objects by id in one answer, framed as git cat-file --batch frames them",
    description: `Body: \`{"ids": [...], "bases": {"<id>": "<base id>"}}\`, at most ${MAX_BATCH_IDS} ids; \`bases\` (optional) names, for a wanted blob, a blob of this project the client already has (an earlier version of the same file). Answer (application/x-git-batch): per id, \`<sha> <type> <size>\\n<bytes>\\n\`; \`<sha> delta <size> <base>\\n<delta>\\n\` when a base was named and git's pack delta from it (base size and result size as varints, then copy and insert instructions, as git's patch-delta reads them) is smaller than the blob (both at most ${MAX_DELTA_BLOB} bytes; a base this project does not have is ignored); \`<sha> missing\\n\` when the project has no such object; \`<sha> deferred\\n\` for ids left out once the answer holds ${MAX_BATCH_BYTES} bytes (ask for them again). Compressed (br or gzip) when Accept-Encoding allows.`,
    request: {
      params: z.object({ owner, project }),
      body: jsonBody(
        z.object({
          ids: z.array(z.string().max(64)).min(1).max(MAX_BATCH_IDS),
          bases: z
            .record(z.string().max(64), z.string().max(64))
            .refine((b) => Object.keys(b).length <= MAX_BATCH_IDS, `At most ${MAX_BATCH_IDS} bases`)
            .optional()
            .openapi({
              description: "Per wanted blob id, the id of a blob the client has, to send a delta from",
            }),
        }),
      ),
    },
    responses: {
      200: { description: "The framed objects (application/x-git-batch)" },
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner: o, project: p } = c.req.valid("param");
    const { ids, bases } = c.req.valid("json");
    const repo = await open(c, o, p);
    const frames = await batchFrames(repo, ids, bases);
    const encoded = await encodeBody(Buffer.concat(frames), c.req.header("accept-encoding"));
    return c.body(encoded.body, 200, {
      ...encoded.headers,
      "Content-Type": "application/x-git-batch",
      "Cache-Control": repo.public ? "no-cache" : "private, no-cache",
      "X-Content-Type-Options": "nosniff",
    }) as never;
  },
);
