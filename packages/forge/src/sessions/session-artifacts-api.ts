// A session's artifacts over the API (upload raw bytes, read them back) and on the web (the
// session page's inline images and links). Both read through session-artifacts.ts.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Hono } from "hono";
import { apiRouter, json, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { readCapped } from "../http/web-body-limit.ts";
import { ARTIFACT_MAX_BYTES, readArtifact, storeArtifact } from "./session-artifacts.ts";

export const artifactsApi = apiRouter();
const S = z.object({ owner: z.string().max(100), project: z.string().max(200), id: z.string().max(40) });
const Artifact = z
  .object({
    kind: z.literal("artifact"),
    name: z.string(),
    sha256: z.string(),
    size: z.number(),
    content_type: z.string(),
    stored: z.boolean(),
    url: z.string(),
  })
  .openapi("SessionArtifact");

artifactsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/artifacts",
    tags: ["sessions"],
    summary: "Upload an artifact of an open session (a screenshot, a report)",
    description: `The body is the file's bytes with its Content-Type (not JSON), at most ${ARTIFACT_MAX_BYTES} bytes; ?name= names it. It is kept by content and appended to the session's conversation as an artifact event (live viewers see it; raster images show inline on the session page).`,
    ...scoped("session:write"),
    request: {
      params: S,
      query: z.object({ name: z.string().min(1).max(300) }),
      body: { content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    },
    responses: {
      201: json(Artifact, "The artifact event, with its URL"),
      400: problems[400],
      404: problems[404],
      409: problems[409],
      413: problems[413],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const type = c.req.header("content-type") ?? "";
    if (!type || /json/i.test(type)) throw invalid("Send the artifact's bytes with its own Content-Type");
    const body = await readCapped(c, {
      max: ARTIFACT_MAX_BYTES,
      message: `An artifact may be at most ${ARTIFACT_MAX_BYTES} bytes`,
    });
    const stored = await storeArtifact(c.get("forge"), c.get("viewer"), owner, project, id, {
      name: c.req.valid("query").name,
      contentType: type,
      body: body ?? new Uint8Array(),
    });
    return c.json(stored, 201);
  },
);

const serve = async (c: Context<AppEnv>, owner: string, project: string, id: string, sha: string) => {
  const { body, headers } = await readArtifact(c.get("forge"), c.get("viewer"), owner, project, id, sha);
  if (c.req.header("if-none-match") === headers.ETag) return c.body(null, 304, headers);
  return c.body(new Uint8Array(body), 200, headers);
};

artifactsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/artifacts/{sha256}",
    tags: ["sessions"],
    summary: "Read an uploaded artifact of a session",
    ...PUBLIC,
    request: { params: S.extend({ sha256: z.string().max(64) }) },
    responses: {
      200: { description: "The artifact's bytes (raster images inline, anything else as an attachment)" },
      404: problems[404],
    },
  }),
  (async (c: Context<AppEnv>) => {
    const { owner, project, id, sha256 } = c.req.param() as Record<string, string>;
    return serve(c, owner!, project!, id!, sha256!);
  }) as never,
);

/** The same artifact for the session page (signed-in viewers' cookies). */
export const artifactPages = new Hono<AppEnv>();
artifactPages.get("/:owner/:project/sessions/:id/artifacts/:sha", (c) =>
  serve(c, c.req.param("owner"), c.req.param("project"), c.req.param("id"), c.req.param("sha")),
);
