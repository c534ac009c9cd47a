// The frames of the content API's batch answer (POST …/objects/batch): whole objects as
// `git cat-file --batch` frames them, git deltas from a base the client named, and ids the
// forge does not have or left for another request.
export type BatchFrame =
  | { kind: "object"; sha: string; type: string; data: Buffer }
  | { kind: "delta"; sha: string; base: string; data: Buffer }
  | { kind: "missing" | "deferred"; sha: string };

/**
 * The forge's batch answer: `<sha> <type> <size>\n<bytes>\n`, `<sha> delta <size> <base>\n
 * <git delta>\n`, `<sha> missing|deferred\n`.
 */
export function parseBatch(buf: Buffer): BatchFrame[] {
  const out: BatchFrame[] = [];
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) break;
    const [sha = "", what = "", size, base = ""] = buf.toString("latin1", at, nl).split(" ");
    if (what === "missing" || what === "deferred") {
      out.push({ kind: what, sha });
      at = nl + 1;
      continue;
    }
    const n = Number(size);
    if (!Number.isSafeInteger(n) || n < 0 || nl + 1 + n > buf.length) break;
    const data = buf.subarray(nl + 1, nl + 1 + n);
    out.push(
      what === "delta" ? { kind: "delta", sha, base, data } : { kind: "object", sha, type: what, data },
    );
    at = nl + 1 + n + 1;
  }
  return out;
}
