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
