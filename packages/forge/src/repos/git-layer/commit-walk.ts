// The commits of a range read in one pass: one `git log --first-parent --reverse` stream for
// the whole range (a push of 5,000 commits is one process, not one per commit), parsed as it
// arrives. Each commit comes with its first parent, author name, subject and the values of one
// trailer, parsed by git itself (`%(trailers:key=…)`), so trailers mean exactly what git says.
import { GitError, gitStream } from "../git.ts";

export interface WalkedCommit {
  oid: string;
  /** The first parent, null for a root commit. */
  parent: string | null;
  author: string;
  subject: string;
  /** The values of the requested trailer, in the order of the message. */
  trailers: string[];
}

const FIELDS = 5;
const OID = /^[0-9a-f]{40}$/;
const TIMEOUT = 10 * 60_000;

/**
 * The commits on `tip`'s first-parent line not reachable from `exclude` (null: down to the
 * root), oldest first, as `git rev-list --first-parent --reverse tip --not exclude` lists them.
 */
export async function firstParentCommits(
  dir: string,
  tip: string,
  exclude: string | null,
  trailerKey: string,
): Promise<WalkedCommit[]> {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(trailerKey)) throw new Error(`bad trailer key: ${trailerKey}`);
  for (const rev of [tip, exclude])
    if (rev !== null && !OID.test(rev)) throw new Error(`not a commit id: ${rev}`);
  const format = `%H%x00%P%x00%an%x00%s%x00%(trailers:key=${trailerKey},valueonly,unfold)%x00`;
  const range = exclude ? [tip, "--not", exclude] : [tip];
  const parser = new WalkParser();
  const run = await gitStream(
    ["log", "--first-parent", "--reverse", "--no-color", `--format=${format}`, ...range, "--"],
    { cwd: dir, timeoutMs: TIMEOUT },
    (chunk) => {
      parser.push(chunk);
      return undefined;
    },
  );
  if (run.code !== 0 || run.stopped)
    throw new GitError(
      `git log failed (${run.code}): ${run.stderr.trim().split("\n")[0] ?? ""}`,
      run.code,
      run.stderr,
    );
  return parser.end();
}

/** Reads records of five NUL-terminated fields, each record followed by a newline. */
export class WalkParser {
  private rest: Buffer = Buffer.alloc(0);
  private fields: string[] = [];
  readonly commits: WalkedCommit[] = [];

  push(chunk: Buffer) {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let at = 0;
    for (let nul = buf.indexOf(0, at); nul >= 0; nul = buf.indexOf(0, at)) {
      this.field(buf.toString("utf8", at, nul));
      at = nul + 1;
    }
    this.rest = Buffer.from(buf.subarray(at));
  }

  end(): WalkedCommit[] {
    if (this.fields.length || this.rest.toString("utf8").trim())
      throw new GitError("git log output ended in the middle of a commit", null, "");
    return this.commits;
  }

  private field(text: string) {
    // Each record after the first starts with the newline that ended the one before.
    this.fields.push(this.fields.length === 0 ? text.replace(/^\n/, "") : text);
    if (this.fields.length < FIELDS) return;
    const [oid, parents, author, subject, trailers] = this.fields;
    this.fields = [];
    if (!OID.test(oid)) throw new GitError(`unexpected git log record: ${oid.slice(0, 60)}`, null, "");
    this.commits.push({
      oid,
      parent: parents.split(" ")[0] || null,
      author,
      subject,
      trailers: trailers
        .split("\n")
        .map((v) => v.trim())
        .filter(Boolean),
    });
  }
}
