// Commit and tag objects read as `git log` and `for-each-ref` show them: signatures (name,
// email, date), the message, and the subject (the first paragraph on one line). Pure
// functions over an object's bytes, compared with git's own output in git-read.test.ts.

export interface Signature {
  name: string;
  email: string;
  date: Date;
}

/** The object's header lines (continuation lines of multi-line headers such as gpgsig skipped). */
function headers(data: Buffer): string[] {
  const end = data.indexOf("\n\n");
  const text = data.toString("utf8", 0, end < 0 ? data.length : end);
  return text.split("\n").filter((l) => !l.startsWith(" "));
}

/** The message after the headers, as stored. */
export function messageOf(data: Buffer): string {
  const end = data.indexOf("\n\n");
  return end < 0 ? "" : data.toString("utf8", end + 2);
}

/** A signature header ("author", "committer", "tagger"): "Name <email> 1700000000 +0000". */
export function parseSignature(data: Buffer, key: "author" | "committer" | "tagger"): Signature {
  const line =
    headers(data)
      .find((l) => l.startsWith(`${key} `))
      ?.slice(key.length + 1) ?? "";
  const m = /^(.*?) ?<([^>]*)> (\d+)(?: [-+]\d{4})?$/.exec(line);
  if (!m) return { name: line, email: "", date: new Date(0) };
  return { name: m[1]!, email: m[2]!, date: new Date(Number(m[3]) * 1000) };
}

/** The id lines of a header ("parent" → every parent id). */
export const headerValues = (data: Buffer, key: string) =>
  headers(data)
    .filter((l) => l.startsWith(`${key} `))
    .map((l) => l.slice(key.length + 1));

const SIGNATURE = /\n-----BEGIN (PGP|SSH) SIGNATURE-----/;

/** `%(contents:subject)`: the message's first paragraph, its lines joined with spaces. */
export function subjectOf(data: Buffer): string {
  let msg = messageOf(data).replace(/^\n+/, "");
  const sig = SIGNATURE.exec(`\n${msg}`);
  if (sig) msg = msg.slice(0, Math.max(0, sig.index - 1));
  const para = /\r?\n\r?\n/.exec(msg);
  if (para) msg = msg.slice(0, para.index);
  return msg
    .replace(/[\r\n]+$/, "")
    .replace(/\r\n/g, " ")
    .replace(/\n/g, " ");
}
