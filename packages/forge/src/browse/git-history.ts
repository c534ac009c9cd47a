// History reads through the git CLI: paginated logs, the last commit touching each entry of
// a directory (one bounded log walk, not one log per entry), and a commit's changed files
// and patch (size-capped). Commits are passed as full ids resolved by git-read.ts; paths go
// after "--" and are literal pathspecs (READ_ENV).
import { read, readHead, readStream } from "./git-read.ts";

export interface Person {
  name: string;
  email: string;
  date: Date;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  author: Person;
  committer: Person;
  subject: string;
  /** The full message (subject and body). */
  message: string;
}

const FIELDS = ["%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B"];
const FORMAT = `--format=${FIELDS.join("%x1f")}`;

function parseCommit(record: string): CommitInfo | undefined {
  const f = record.replace(/^\n/, "").split("\x1f");
  if (f.length < FIELDS.length || !/^[0-9a-f]{40,64}$/.test(f[0]!)) return undefined;
  const message = f.slice(8).join("\x1f").replace(/\s+$/, "");
  const date = (s: string) => new Date(Number(s) * 1000);
  return {
    sha: f[0]!,
    parents: f[1] ? f[1].split(" ") : [],
    author: { name: f[2]!, email: f[3]!, date: date(f[4]!) },
    committer: { name: f[5]!, email: f[6]!, date: date(f[7]!) },
    subject: message.split("\n", 1)[0] ?? "",
    message,
  };
}

const pathspec = (path: string | undefined) => (path ? ["--", path] : ["--"]);

/** Commits reachable from `commit` (newest first), optionally only those touching `path`. */
export async function listCommits(
  dir: string,
  commit: string,
  opts: { path?: string; skip: number; limit: number },
): Promise<CommitInfo[]> {
  const out = await read(dir, [
    "log",
    "-z",
    FORMAT,
    `--skip=${opts.skip}`,
    `--max-count=${opts.limit}`,
    commit,
    ...pathspec(opts.path),
  ]);
  return out
    .toString("utf8")
    .split("\0")
    .map(parseCommit)
    .filter((c): c is CommitInfo => c !== undefined);
}

/** One commit's metadata, or undefined. */
export async function getCommit(dir: string, commit: string): Promise<CommitInfo | undefined> {
  const out = await read(dir, ["log", "-1", "-z", FORMAT, commit, "--"]);
  return parseCommit(out.toString("utf8").split("\0")[0] ?? "");
}

export interface CommitSummary {
  sha: string;
  subject: string;
  author: string;
  date: Date;
}

/** How far the last-commit walk goes before giving up on the entries not yet seen. */
export const LAST_COMMIT_WALK = 1000;
const LAST_COMMIT_MS = 5000;

/**
 * The most recent commit (from `commit` back) touching each named entry of directory
 * `dirPath`: one `git log --name-only` walk over the directory, stopped as soon as every
 * entry is found, or after LAST_COMMIT_WALK commits; entries not found are left out.
 * complete is false when the time limit cut the walk short (worth trying again later).
 */
export async function lastCommits(
  dir: string,
  commit: string,
  dirPath: string,
  names: string[],
): Promise<{ found: Map<string, CommitSummary>; complete: boolean }> {
  const found = new Map<string, CommitSummary>();
  const missing = new Set(names);
  if (missing.size === 0) return { found, complete: true };
  let current: CommitSummary | undefined;
  let pending: Buffer = Buffer.alloc(0);
  const prefix = dirPath ? `${dirPath}/` : "";
  const token = (t: string) => {
    const text = t.startsWith("\n") ? t.slice(1) : t;
    if (text.startsWith("\x1e")) {
      const [sha, at, author, subject] = text.slice(1).split("\x1f");
      current = {
        sha: sha!,
        date: new Date(Number(at) * 1000),
        author: author ?? "",
        subject: subject ?? "",
      };
      return;
    }
    if (!current || !text.startsWith(prefix)) return;
    const name = text.slice(prefix.length).split("/", 1)[0]!;
    if (missing.delete(name)) found.set(name, current);
  };
  const { stopped } = await readStream(
    dir,
    [
      "log",
      "-z",
      "--no-renames",
      "--name-only",
      "--format=%x1e%H%x1f%at%x1f%an%x1f%s",
      `--max-count=${LAST_COMMIT_WALK}`,
      commit,
      ...pathspec(dirPath || undefined),
    ],
    (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let start = 0;
      for (let end = pending.indexOf(0, start); end !== -1; end = pending.indexOf(0, start)) {
        token(pending.toString("utf8", start, end));
        start = end + 1;
      }
      pending = pending.subarray(start);
      return missing.size > 0;
    },
    LAST_COMMIT_MS,
  );
  // Stopped with entries still missing means the time limit hit: the answer is partial.
  return { found, complete: !(stopped && missing.size > 0) };
}

export type ChangeStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type_changed";
const STATUS: Record<string, ChangeStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
};

export interface FileChange {
  path: string;
  /** The previous path for renames and copies. */
  oldPath: string | null;
  status: ChangeStatus;
  additions: number | null;
  deletions: number | null;
  binary: boolean;
}

/** Diff endpoints: against the first parent, or the empty tree for a root commit. */
const diffRange = (c: CommitInfo) => (c.parents[0] ? [c.parents[0], c.sha] : ["--root", c.sha]);
/** Files are listed at most this many (a commit touching more is summarized). */
export const MAX_FILES = 3000;

/** The files a commit changed (against its first parent), with line counts. */
export async function commitChanges(dir: string, c: CommitInfo): Promise<FileChange[]> {
  const out = await read(dir, [
    "diff-tree",
    "-r",
    "-z",
    "-M",
    "--raw",
    "--numstat",
    "--no-commit-id",
    ...diffRange(c),
  ]);
  const t = out.toString("utf8").split("\0");
  const files: FileChange[] = [];
  let i = 0;
  while (i < t.length && t[i]!.startsWith(":")) {
    const letter = t[i]!.split(" ")[4]?.[0] ?? "M";
    const two = letter === "R" || letter === "C";
    files.push({
      path: two ? t[i + 2]! : t[i + 1]!,
      oldPath: two ? t[i + 1]! : null,
      status: STATUS[letter] ?? "modified",
      additions: null,
      deletions: null,
      binary: false,
    });
    i += two ? 3 : 2;
  }
  for (const f of files) {
    const [added, deleted, path] = (t[i] ?? "").split("\t");
    i += path === "" ? 3 : 1; // a rename's numstat names both paths in the next two fields
    f.binary = added === "-";
    f.additions = f.binary ? null : Number(added);
    f.deletions = f.binary ? null : Number(deleted);
  }
  return files.slice(0, MAX_FILES);
}

export interface FilePatch {
  /** The "diff --git" header line and the lines up to the first hunk. */
  header: string[];
  /** Hunk lines ("@@ …", "+…", "-…", " …", "\ No newline…"). */
  lines: string[];
}

/** The commit's patch against its first parent, split per file, capped at maxBytes. */
export async function commitPatch(
  dir: string,
  c: CommitInfo,
  maxBytes: number,
): Promise<{ files: FilePatch[]; truncated: boolean }> {
  const { data, truncated } = await readHead(
    dir,
    ["diff-tree", "-p", "-M", "--no-color", "--no-ext-diff", "--no-commit-id", ...diffRange(c)],
    maxBytes,
  );
  const text = data.toString("utf8");
  const lines = text.split("\n");
  if (truncated)
    lines.pop(); // the last line may be cut
  else if (lines.at(-1) === "") lines.pop();
  const files: FilePatch[] = [];
  let current: FilePatch | undefined;
  for (const line of lines) {
    if (line.startsWith("diff --git ")) {
      current = { header: [line], lines: [] };
      files.push(current);
    } else if (current && (current.lines.length > 0 || line.startsWith("@@"))) current.lines.push(line);
    else current?.header.push(line);
  }
  return { files, truncated };
}
