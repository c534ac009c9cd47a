// Compression of the content API's listings and batch answers, negotiated by Accept-Encoding:
// br (quality 5: most of brotli's gain at gzip's speed) when the client takes it, else gzip,
// else the bytes as they are. Small bodies go as they are. The encoder is a node:zlib stream
// joined with pipeline; its input is an answer this module's callers already capped
// (MAX_BATCH_BYTES of content, a tree's listing).
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants, createBrotliCompress, createGzip } from "node:zlib";

export type Encoding = "br" | "gzip";

/** Bodies smaller than this are not worth a compressor. */
export const MIN_COMPRESS_BYTES = 512;

/** The encoding to answer with: the first of br, gzip that Accept-Encoding allows (q > 0). */
export function negotiate(accept: string | undefined): Encoding | null {
  if (!accept) return null;
  const allowed = new Map<string, number>();
  for (const part of accept.slice(0, 500).split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    allowed.set(name.trim(), q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (name: string) => (allowed.get(name) ?? allowed.get("*") ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return null;
}

function encoder(encoding: Encoding) {
  return encoding === "br"
    ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
    : createGzip({ level: 6 });
}

/** `body` compressed with `encoding`. */
export async function compress(body: Uint8Array, encoding: Encoding): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from([Buffer.from(body.buffer, body.byteOffset, body.length)]),
    encoder(encoding),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

/**
 * The body to send for this Accept-Encoding and the headers that go with it: Content-Encoding
 * when it was compressed, and Vary: Accept-Encoding always (a cache must keep them apart).
 */
export async function encodeBody(
  body: Uint8Array,
  accept: string | undefined,
  vary?: string,
): Promise<{ body: Uint8Array<ArrayBuffer>; headers: Record<string, string> }> {
  const varies = { Vary: vary ? `${vary}, Accept-Encoding` : "Accept-Encoding" };
  const encoding = body.length >= MIN_COMPRESS_BYTES ? negotiate(accept) : null;
  if (!encoding) return { body: new Uint8Array(body), headers: varies };
  const packed = await compress(body, encoding);
  return { body: new Uint8Array(packed), headers: { ...varies, "Content-Encoding": encoding } };
}
