// The decoding steps of a git request body: gunzip for `Content-Encoding: gzip` (what git
// sends for large fetch requests), and a byte cap on what comes out, so a small gzip bomb
// cannot feed git gigabytes (zlib's maxOutputLength only holds for its one-shot calls).
import { Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { AppError } from "../errors/app-error.ts";

/** The streams that decode a body sent with this Content-Encoding (none for identity). */
export function decodingStreams(contentEncoding: string | undefined): Transform[] {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return [];
  if (encoding === "gzip" || encoding === "x-gzip") return [createGunzip()];
  throw new AppError("unsupported_media_type", "Only gzip request bodies are supported");
}

/** Whether an error came from zlib reading a body that is not gzip (or is cut short). */
export const isGzipError = (err: unknown) =>
  typeof (err as { code?: unknown })?.code === "string" && (err as { code: string }).code.startsWith("Z_");

export const badGzip = () => new AppError("invalid", "The request body is not valid gzip");

/** Passes bytes through until more than `max` have gone by, then fails with 413. */
export function byteLimit(max: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new AppError("too_large", `${what} is larger than ${max} bytes`, { limit: max }));
      else done(null, chunk);
    },
  });
}
