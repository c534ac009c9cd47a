// The git side of blame: `git blame --porcelain <commit> -- <path>` parsed into one entry per
// line (the commit that last changed it and the line's number there) plus each commit's
// author, date and summary. The commit is a full id resolved by browse/git-read.ts and the
// path a validated repository path placed after "--"; no user text reaches git otherwise.

import { read } from "../browse/git-read.ts";
import { AppError } from "../errors/app-error.ts";
import { GitError } from "../repos/git.ts";

export interface BlameCommit {
  sha: string;
  author: { name: string; email: string };
  /** Author date. */
  date: Date;
  summary: string;
  /** The path of the file in this commit, when it differs from the blamed path (a rename). */
  filename: string;
  /** True for a root commit, or the last commit git looked at when the walk was bounded. */
  boundary: boolean;
}

export interface BlameLine {
  /** 1-based line number in the blamed file. */
  line: number;
  commit: string;
  /** 1-based line number in `commit`'s version of the file. */
  originalLine: number;
  /** The line's text (UTF-8, without the line ending). */
  content: string;
}

export interface RawBlame {
  lines: BlameLine[];
  commits: Map<string, BlameCommit>;
}

const BLAME_TIMEOUT_MS = 30_000;
const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d+) (\d+)(?: \d+)?$/;

/** Runs blame on `path` at `commit`; 503 when git runs out of time. */
export async function gitBlame(dir: string, commit: string, path: string): Promise<RawBlame> {
  let out: Buffer;
  try {
    out = await read(dir, ["blame", "--porcelain", commit, "--", path], { maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    if (err instanceof GitError && err.code === null) {
      throw new AppError("unavailable", `Blame did not finish within ${BLAME_TIMEOUT_MS / 1000} seconds`);
    }
    throw err;
  }
  return parsePorcelain(out.toString("utf8"));
}

/** Parses `git blame --porcelain` output (headers appear once per commit, content after a tab). */
export function parsePorcelain(text: string): RawBlame {
  const lines: BlameLine[] = [];
  const commits = new Map<string, BlameCommit>();
  let current: { sha: string; originalLine: number; line: number } | undefined;
  let info: Partial<BlameCommit> & { authorTime?: number } = {};
  for (const row of text.split("\n")) {
    if (row.startsWith("\t")) {
      if (!current) continue;
      lines.push({
        line: current.line,
        commit: current.sha,
        originalLine: current.originalLine,
        content: row.slice(1).replace(/\r$/, ""),
      });
      current = undefined;
      continue;
    }
    const m = HEADER.exec(row);
    if (m && !current) {
      current = { sha: m[1]!, originalLine: Number(m[2]), line: Number(m[3]) };
      if (!commits.has(current.sha)) {
        info = { sha: current.sha, boundary: false };
        commits.set(current.sha, info as BlameCommit);
      }
      continue;
    }
    if (!current || commits.get(current.sha) !== info) continue;
    const space = row.indexOf(" ");
    const key = space < 0 ? row : row.slice(0, space);
    const value = space < 0 ? "" : row.slice(space + 1);
    if (key === "author") info.author = { name: value, email: info.author?.email ?? "" };
    else if (key === "author-mail")
      info.author = { name: info.author?.name ?? "", email: value.replace(/^<|>$/g, "") };
    else if (key === "author-time") info.date = new Date(Number(value) * 1000);
    else if (key === "summary") info.summary = value;
    else if (key === "filename") info.filename = unquotePath(value);
    else if (key === "boundary") info.boundary = true;
  }
  for (const c of commits.values()) {
    c.author ??= { name: "", email: "" };
    c.date ??= new Date(0);
    c.summary ??= "";
    c.filename ??= "";
  }
  lines.sort((a, b) => a.line - b.line);
  return { lines, commits };
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/** Undoes git's C-style quoting of a path ("a\"b\303\251"), leaving unquoted paths alone. */
export function unquotePath(s: string): string {
  if (!(s.length >= 2 && s.startsWith('"') && s.endsWith('"'))) return s;
  const bytes: number[] = [];
  const body = s.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = body[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
