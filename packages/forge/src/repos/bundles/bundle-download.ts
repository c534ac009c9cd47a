// Downloads of clone bundles: GET /<owner>/<project>.git/bundles/<id>.bundle, the URL the
// bundle-uri answer gives. Access is a clone's (credentials from the Authorization header;
// anonymous callers of a project they cannot read are asked for them, others get 404), or a
// signed URL's (bundle-urls.ts). The file is streamed with stream.pipeline. Bundle ids are
// never reused, so a public project's bundle is immutable for any cache; a private one's is
// `private`.
import { open } from "node:fs/promises";
import { PassThrough, pipeline, Readable } from "node:stream";
import type { Context } from "hono";
import { notFound } from "../../errors/app-error.ts";
import type { AppEnv } from "../../http/context.ts";
import { type ProjectWithOwner, projectByName } from "../../projects/projects-service.ts";
import { BUNDLE_ID, bundlePath } from "./bundle-store.ts";
import { signedBundleSecondsLeft } from "./bundle-urls.ts";

export const BUNDLE_ROUTE = "/:owner/:project{[^/]+\\.git}/bundles/:file";

const noBundle = () => notFound("Bundle not found");

/** Serves the bundle; `resolve` checks the caller's access as a clone would. */
export async function serveBundle(
  c: Context<AppEnv>,
  resolve: () => Promise<{ project: ProjectWithOwner; dir: string }>,
): Promise<Response> {
  const forge = c.get("forge");
  const name = c.req.param("project") ?? "";
  const id = /^(.+)\.bundle$/.exec(c.req.param("file") ?? "")?.[1];
  if (!name.endsWith(".git") || !id || !BUNDLE_ID.test(id)) throw noBundle();

  let target: { project: ProjectWithOwner; dir: string } | undefined;
  let secondsLeft: number | null = null;
  const signed = { expires: c.req.query("expires"), sig: c.req.query("sig") };
  if (signed.sig) {
    const project = await projectByName(forge.db, c.req.param("owner") ?? "", name.slice(0, -4));
    secondsLeft = project ? signedBundleSecondsLeft(forge, project.id, id, signed) : null;
    if (project && secondsLeft) target = { project, dir: forge.repos.dir(project.id) };
  }
  target ??= await resolve();
  if (!forge.config.bundles.enabled) throw noBundle();

  const file = await open(bundlePath(target.dir, id)).catch(() => null);
  if (!file) throw noBundle();
  const isPublic = target.project.visibility === "public";
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    ETag: `"${id}"`,
    "Cache-Control": isPublic
      ? "public, max-age=31536000, immutable"
      : `private, max-age=${secondsLeft ?? 600}`,
  };
  if (c.req.header("if-none-match")?.includes(`"${id}"`)) {
    await file.close();
    return new Response(null, { status: 304, headers });
  }
  const { size } = await file.stat();
  headers["Content-Length"] = String(size);
  if (c.req.method === "HEAD") {
    await file.close();
    return new Response(null, { status: 200, headers });
  }
  const out = new PassThrough();
  pipeline(file.createReadStream(), out, (err) => {
    if (err) c.var.log.debug({ err }, "bundle download ended early");
  });
  return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, { status: 200, headers });
}
