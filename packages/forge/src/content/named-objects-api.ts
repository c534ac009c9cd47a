// A blob by id served under a file name, for browsers: `GET …/objects/{sha}/{name}` answers
// the bytes with a type derived from the name and the bytes (file-types.ts: images inline,
// text as text/plain, SVG and everything else as attachments, never HTML), `nosniff` and a
// sandboxing CSP, so a CDN in front of the forge may serve a project's files to pages.
// Access is openContent's (the id must be a blob of this project's repository, the viewer
// must be able to read it); or, instead of credentials, a signature from file-urls.ts over
// this project, id and name, for at most 10 minutes — then `Cache-Control: private`, so no
// shared cache keeps a private file. A wrong, altered or expired signature is a 404.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, PUBLIC, problems } from "../api/openapi.ts";
import { isBinary } from "../browse/git-read.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { projectByName } from "../projects/projects-service.ts";
import { blobBytes, type ContentRepo, openContent } from "./content-service.ts";
import { disposition, fileType, USER_CONTENT_CSP } from "./file-types.ts";
import { fileSecondsLeft, MAX_FILE_NAME } from "./file-urls.ts";
import { bytesAnswer } from "./range.ts";

export const namedObjectsApi = apiRouter();

const params = z.object({
  owner: z.string().max(100),
  project: z.string().max(200),
  sha: z.string().max(64).openapi({ description: "A full blob id (40 hex digits)" }),
  name: z
    .string()
    .min(1)
    .max(MAX_FILE_NAME)
    .openapi({ description: "The file name the type is derived from (and the download's name)" }),
});

/** The repository for a signed file URL; 404 when the signature does not sign this file now. */
async function openSignedFile(c: Context<AppEnv>, p: z.infer<typeof params>, expires?: string, sig?: string) {
  const forge = c.get("forge");
  const project = await projectByName(forge.db, p.owner, p.project);
  const left = project && fileSecondsLeft(forge, project.id, p.sha, p.name, { expires, sig });
  if (!project || !left) throw notFound("Object not found (the signed URL is wrong or has expired)");
  const exists = forge.repos.exists(project.id);
  const repo: ContentRepo = {
    project,
    git: exists ? forge.git.get(forge.repos.dir(project.id)) : null,
    public: project.visibility === "public",
  };
  return { repo, left };
}

namedObjectsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/objects/{sha}/{name}",
    ...PUBLIC,
    tags: ["code"],
    summary: "A blob's bytes by id, typed by a file name, for browsers (immutable; Range)",
    description:
      "Images (png, jpeg, gif, webp, avif, bmp, ico) and media inline, text as `text/plain; charset=utf-8`, SVG and other binaries as attachments; never HTML; always `nosniff` and a sandboxing CSP. With `expires` and `sig` (a private project's signed URL in its pages when the instance has MICELIO_CDN_URL), no credentials are needed until it expires.",
    request: {
      params,
      query: z.object({ expires: z.string().max(20).optional(), sig: z.string().max(128).optional() }),
    },
    responses: {
      200: { description: "The blob's bytes" },
      206: { description: "The requested byte range" },
      404: problems[404],
      413: problems[413],
      416: { description: "The range lies outside the blob" },
    },
  }),
  (async (c: Context<AppEnv>) => {
    const p = params.parse(c.req.param());
    const { expires, sig } = c.req.query();
    const signed = sig !== undefined ? await openSignedFile(c, p, expires, sig) : null;
    const repo = signed?.repo ?? (await openContent(c.get("forge"), c.get("viewer"), p.owner, p.project));
    const data = await blobBytes(repo, p.sha);
    const type = fileType(p.name, isBinary(data));
    const headers: Record<string, string> = {
      "Content-Type": type.contentType,
      "Content-Disposition": disposition(p.name, type.attachment),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": USER_CONTENT_CSP,
      // Pages on the forge's origin show it from the CDN's; a private file only through a signature.
      "Cross-Origin-Resource-Policy": repo.public || signed ? "cross-origin" : "same-origin",
      "Cache-Control": repo.public
        ? "public, max-age=31536000, immutable"
        : signed
          ? `private, max-age=${signed.left}`
          : "private, max-age=31536000, immutable",
      ETag: `"${p.sha}"`,
      "Accept-Ranges": "bytes",
      ...(repo.public || signed ? {} : { Vary: "Authorization, Cookie" }),
    };
    const tags = c.req.header("if-none-match")?.split(/\s*,\s*/) ?? [];
    return bytesAnswer(
      c,
      data,
      headers,
      tags.some((t) => t === `"${p.sha}"` || t === `W/"${p.sha}"`),
    );
  }) as never,
);
