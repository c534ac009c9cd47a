// History reads: a commit's metadata through the git layer (in process, from memory once
// read); paginated logs, the last commit touching each entry of a directory (one bounded log
// walk, not one log per entry), and a commit's changed files and patch (size-capped) through
// one git process the first time, then from the layer's content cache (a commit never
// changes). Commits are passed as full ids resolved by git-read.ts; paths go after "--" and
// are literal pathspecs (READ_ENV).
import { layerFor } from "../repos/git-layer/git-repos.ts";
import { cachedByContent, readObject } from "../repos/git-layer/repo-reads.ts";
import { headerValues, messageOf, parseSignature } from "./git-objects.ts";
import { type RepoSource, read, readHead, readStream } from "./git-read.ts";

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
export function listCommits(
  src: RepoSource,
  commit: string,
  opts: { path?: string; skip: number; limit: number },
): Promise<CommitInfo[]> {
  const key = `log:${commit}:${opts.skip}:${opts.limit}:${opts.path ?? ""}`;
  return cachedByContent(layerFor(src), key, () => logCommits(src, commit, opts), commitsSize);
}

const commitsSize = (cs: CommitInfo[]) => cs.reduce((n, c) => n + 400 + c.message.length * 2, 100);

async function logCommits(
  src: RepoSource,
  commit: string,
  opts: { path?: string; skip: number; limit: number },
): Promise<CommitInfo[]> {
  const out = await read(src, [
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

/** One commit's metadata (a full id, or any name of a commit), or undefined; read in process. */
export async function getCommit(src: RepoSource, commit: string): Promise<CommitInfo | undefined> {
  const repo = layerFor(src);
  const obj = await readObject(repo, /^[0-9a-f]{40}$/.test(commit) ? commit : `${commit}^{commit}`);
  if (obj?.type !== "commit") return undefined;
  const message = messageOf(obj.data).replace(/\s+$/, "");
  const person = (key: "author" | "committer") => {
    const { name, email, date } = parseSignature(obj.data, key);
    return { name, email, date };
  };
  return {
    sha: obj.oid,
    parents: headerValues(obj.data, "parent"),
    author: person("author"),
    committer: person("committer"),
    subject: message.split("\n", 1)[0] ?? "",
    message,
  };
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
  src: RepoSource,
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
    src,
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

/** The files a commit changed (against its first parent), with line counts; cached. */
export function commitChanges(src: RepoSource, c: CommitInfo): Promise<FileChange[]> {
  return cachedByContent(
    layerFor(src),
    `changes:${c.sha}:${c.parents[0] ?? ""}`,
    () => diffChanges(src, c),
    (fs) => 100 + fs.length * 300,
  );
}

async function diffChanges(src: RepoSource, c: CommitInfo): Promise<FileChange[]> {
  const out = await read(src, [
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

/** The commit's patch against its first parent, split per file, capped at maxBytes; cached. */
export function commitPatch(
  src: RepoSource,
  c: CommitInfo,
  maxBytes: number,
): Promise<{ files: FilePatch[]; truncated: boolean }> {
  return cachedByContent(
    layerFor(src),
    `patch:${c.sha}:${c.parents[0] ?? ""}:${maxBytes}`,
    () => diffPatch(src, c, maxBytes),
    (p) => p.files.reduce((n, f) => n + f.lines.reduce((m, l) => m + 50 + l.length * 2, 200), 100),
  );
}

async function diffPatch(
  src: RepoSource,
  c: CommitInfo,
  maxBytes: number,
): Promise<{ files: FilePatch[]; truncated: boolean }> {
  const { data, truncated } = await readHead(
    src,
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
