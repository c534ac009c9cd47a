// The protocol v2 upload-pack commands the forge answers itself: bundle-uri (bundles/bundle-uri.ts;
// git's upload-pack knows only bundles in the repository's config), ls-refs (ls-refs.ts; one git
// process fewer per clone and fetch) and a repeated full fetch (fetch-cache.ts; none). Anything
// else — other fetches, object-info, or a request the forge leaves to git — goes on to
// upload-pack with the bytes read put back (and a fetch whose answer is to be kept, with a recorder).
import { pipeline, Readable } from "node:stream";
import type { Context } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { answerBundleUri } from "./bundles/bundle-uri.ts";
import { fetchFromCache } from "./fetch-cache.ts";
import type { OutputRecorder } from "./git-service.ts";
import { badGzip, byteLimit, decodingStreams, isGzipError } from "./gzip-body.ts";
import { lsRefs, lsRefsArgs } from "./ls-refs.ts";
import { ClientGone, peekV2, uploadPackResult } from "./v2-request.ts";

/** The largest request read before deciding (a command, capabilities, arguments, a flush). */
const MAX_REQUEST = 16 * 1024;
/** A fetch request (wants) read whole to see whether its answer is kept (fetch-cache.ts). */
const MAX_FETCH_REQUEST = 2 ** 20;
const COMMANDS = ["bundle-uri", "ls-refs", "fetch"] as const;

const result = (body: Buffer) => uploadPackResult(new Uint8Array(body));

/**
 * For a protocol v2 upload-pack request: the forge's answer when it is a command the forge
 * serves, else the request body to hand to upload-pack.
 */
export async function answerV2Command(
  c: Context<AppEnv>,
  project: ProjectWithOwner,
  dir: string,
): Promise<
  | { response: Response }
  | { body: ReadableStream<Uint8Array> | null; decoded: boolean; record?: OutputRecorder }
> {
  const forge = c.get("forge");
  const raw = c.req.raw.body;
  // A large request comes gzipped (git compresses request bodies over 1 KiB): decoded here, capped.
  const steps = decodingStreams(c.req.header("content-encoding"));
  const decoded = steps.length > 0;
  const body =
    raw && decoded
      ? (Readable.toWeb(
          pipeline(
            [
              Readable.fromWeb(raw as import("node:stream/web").ReadableStream),
              ...steps,
              byteLimit(forge.config.git.maxRequestBytes, "The fetch request"),
            ],
            () => {},
          ) as unknown as Readable,
        ) as ReadableStream<Uint8Array>)
      : raw;
  let peek: Awaited<ReturnType<typeof peekV2>>;
  try {
    peek = await peekV2(body, COMMANDS, (command) =>
      command === "fetch" ? Math.min(MAX_FETCH_REQUEST, forge.config.git.maxRequestBytes) : MAX_REQUEST,
    );
  } catch (err) {
    if (!(err instanceof ClientGone)) throw err;
    if (err.cause instanceof AppError) throw err.cause;
    if (isGzipError(err.cause)) throw badGzip();
    throw new AppError("invalid", err.message);
  }
  if (peek.kind === "other") return { body: peek.body, decoded };
  if (peek.command === "bundle-uri")
    return { response: result(await answerBundleUri(c, project, dir, peek)) };
  if (peek.kind === "incomplete") return { body: peek.pass(), decoded };
  if (peek.command === "fetch") {
    const kept = await fetchFromCache(forge.config.dataDir, dir, peek.pkts);
    if (kept && "response" in kept) return kept;
    return { body: peek.pass(), decoded, record: kept?.record };
  }
  const args = lsRefsArgs(peek.pkts);
  const repo = forge.git.get(dir);
  const answer = args && (await lsRefs(dir, args, (oid) => repo.peelTag(oid)));
  return answer ? { response: result(answer) } : { body: peek.pass(), decoded };
}
