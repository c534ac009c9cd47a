// Decoding of a compressed answer (Content-Encoding gzip or br, what mic-fs asks the content
// API for): a node:zlib stream joined with pipeline, stopped once more than `maxBytes` come
// out, so a small compressed body cannot fill the memory.
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress, createGunzip } from "node:zlib";

export async function decodeBody(body: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const enc = encoding.trim().toLowerCase();
  const decoder =
    enc === "br" ? createBrotliDecompress() : enc === "gzip" || enc === "x-gzip" ? createGunzip() : null;
  if (!decoder) throw new Error(`unknown content encoding ${enc}`);
  const chunks: Buffer[] = [];
  let seen = 0;
  await pipeline(
    Readable.from([body]),
    decoder,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        done(seen > maxBytes ? new Error(`more than ${maxBytes} bytes once decoded`) : null, chunk);
      },
    }),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}
