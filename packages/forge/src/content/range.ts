// One HTTP byte range (RFC 9110 §14.1.2) of a body of known length: `bytes=a-b`, `bytes=a-` or
// `bytes=-n`. Several ranges, or a header that is not a byte range, are answered whole (null),
// as the RFC allows; a range that starts past the end is unsatisfiable.
export type Range = { start: number; end: number };

export function rangeOf(header: string | undefined, length: number): Range | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (length === 0) return "unsatisfiable";
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    return { start: Math.max(0, length - n), end: length - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? length - 1 : Math.min(Number(m[2]), length - 1);
  if (start >= length) return "unsatisfiable";
  if (end < start) return null;
  return { start, end };
}

/**
 * The answer for a blob's bytes: 304 when the client has it (`fresh`), else 200, 206 for one
 * range or 416 for a range past the end, with `headers` on each.
 */
export function bytesAnswer(
  c: { req: { header(name: string): string | undefined } },
  data: Buffer,
  headers: Record<string, string>,
  fresh: boolean,
): Response {
  if (fresh) return new Response(null, { status: 304, headers });
  const range = rangeOf(c.req.header("range"), data.length);
  if (range === "unsatisfiable")
    return new Response(null, {
      status: 416,
      headers: { ...headers, "Content-Range": `bytes */${data.length}` },
    });
  if (!range) return new Response(new Uint8Array(data), { status: 200, headers });
  return new Response(new Uint8Array(data.subarray(range.start, range.end + 1)), {
    status: 206,
    headers: { ...headers, "Content-Range": `bytes ${range.start}-${range.end}/${data.length}` },
  });
}
