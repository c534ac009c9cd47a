// Raw file responses. The forge serves repository bytes on its own origin, so nothing a
// repository holds may render as an active document: text (HTML, XML and SVG included) is
// text/plain, known raster images and media keep their type, SVG is an image only where a
// browser loads it as one (Sec-Fetch-Dest: image) and then as an attachment, anything else
// is an octet-stream attachment; always nosniff. Only a full commit id in the URL makes a
// response immutable, and private projects are never publicly cacheable.
import { Readable } from "node:stream";
import type { Context } from "hono";
import { disposition, extensionOf, type FileType, fileType } from "../content/file-types.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { isFullSha } from "../repos/safe-names.ts";
import type { Repo } from "./browse-service.ts";
import { isBinary, type Location, readBlob, spawnBlob, statPath } from "./git-read.ts";

/** Blobs up to this size are read whole; larger ones are streamed from git. */
const BUFFER_LIMIT = 8 * 1024 * 1024;

export type RawType = FileType;

/** The content type a raw file is served with (see the header comment for the rules). */
export function rawType(path: string, binary: boolean, fetchDest: string | undefined): RawType {
  // SVG is text here unless a browser loads it as an image (the response varies on it).
  if (extensionOf(path) === "svg" && fetchDest !== "image") return fileType("", binary);
  return fileType(path, binary);
}

export function rawHeaders(repo: Repo, loc: Location, oid: string): Record<string, string> {
  const scope = repo.project.visibility === "private" ? "private" : "public";
  const immutable = loc.kind === "commit" && isFullSha(loc.ref);
  return {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": immutable
      ? `${scope}, max-age=31536000, immutable`
      : scope === "private"
        ? "private, no-cache"
        : "no-cache",
    ETag: `"${oid}"`,
    Vary: "Sec-Fetch-Dest",
  };
}

/** Answers GET /{owner}/{project}/raw/{ref}/{path}. */
export async function serveRaw(c: Context<AppEnv>, repo: Repo, loc: Location): Promise<Response> {
  const entry = loc.path ? await statPath(repo.dir, loc.commit, loc.path) : undefined;
  if (entry?.type !== "blob") throw notFound("No such file");
  const headers = rawHeaders(repo, loc, entry.oid);
  if (
    c.req
      .header("if-none-match")
      ?.split(/\s*,\s*/)
      .includes(headers.ETag!)
  ) {
    return c.body(null, 304, headers);
  }
  const size = entry.size ?? 0;
  const head = size > BUFFER_LIMIT ? await readBlob(repo.dir, entry.oid, 8000) : undefined;
  const data = head ? undefined : (await readBlob(repo.dir, entry.oid, BUFFER_LIMIT)).data;
  const type = rawType(entry.path, isBinary((head?.data ?? data)!), c.req.header("sec-fetch-dest"));
  headers["Content-Type"] = type.contentType;
  if (type.attachment) headers["Content-Disposition"] = disposition(entry.name);
  headers["Content-Length"] = String(size);
  if (data) return c.body(new Uint8Array(data), 200, headers);
  const child = spawnBlob(repo.dir, entry.oid);
  child.stdin!.end();
  child.stdout!.on("close", () => child.kill("SIGKILL"));
  return c.body(Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>, 200, headers);
}
