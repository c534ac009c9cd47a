// Runs `git grep` over one commit's tree and parses its NUL-separated output as it streams:
// the pattern goes in as `-e <pattern>` (never read as an option), the commit is a full id we
// resolved, and the process is killed after a time limit, a number of matches, or an amount
// of output; the answer then says it is partial. Invalid patterns come back as InvalidPattern.
import type { ChildProcess } from "node:child_process";
import { READ_ENV } from "../browse/git-read.ts";
import { GitError, gitSpawn } from "../repos/git.ts";

export interface GrepOptions {
  pattern: string;
  /** "fixed": a literal string (-F); "perl": PCRE (-P); "extended": POSIX ERE (-E). */
  syntax: "fixed" | "perl" | "extended";
  ignoreCase: boolean;
  maxMatches: number;
  timeoutMs: number;
  /** Lines are cut to this many characters around the first match. */
  maxLineChars: number;
  /** Stop reading after this much output. */
  maxBytes?: number;
}

export interface GrepMatch {
  path: string;
  line: number;
  /** 1-based character column of the first match on the line (within the full line). */
  column: number;
  /** The line, or a window of it around the first match when it is long. */
  text: string;
  /** Character offset of `text` within the full line (0 unless the line was cut). */
  offset: number;
  line_truncated: boolean;
}

export interface GrepResult {
  matches: GrepMatch[];
  /** More matches may exist: a limit (count, output size, or time) stopped the search. */
  truncated: boolean;
  timedOut: boolean;
}

/** The pattern is not a valid regular expression (or is too costly for the engine). */
export class InvalidPattern extends Error {}
/** This git cannot do Perl-compatible regexes. */
export class NoPcre extends Error {}

const SYNTAX_FLAG = { fixed: "-F", perl: "-P", extended: "-E" } as const;

/** Splits git grep -z --column -n output: "<commit>:<path>\0<line>\0<column>\0<text>\n". */
class GrepParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(
    private readonly prefix: Buffer,
    private readonly maxLineChars: number,
  ) {}

  push(chunk: Buffer, out: GrepMatch[], max: number) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (out.length < max) {
      const rec = this.next();
      if (!rec) break;
      out.push(rec);
    }
  }

  private next(): GrepMatch | undefined {
    const b = this.buf;
    const start = this.prefix.length;
    const pathEnd = b.indexOf(0, start);
    if (pathEnd < 0) return undefined;
    const lineEnd = b.indexOf(0, pathEnd + 1);
    if (lineEnd < 0) return undefined;
    const colEnd = b.indexOf(0, lineEnd + 1);
    if (colEnd < 0) return undefined;
    const textEnd = b.indexOf(10, colEnd + 1);
    if (textEnd < 0) return undefined;
    const path = b.subarray(start, pathEnd).toString("utf8");
    const line = Number(b.subarray(pathEnd + 1, lineEnd).toString("latin1"));
    const byteColumn = Number(b.subarray(lineEnd + 1, colEnd).toString("latin1"));
    const raw = b.subarray(colEnd + 1, textEnd);
    this.buf = b.subarray(textEnd + 1);
    const column = raw.subarray(0, Math.max(0, byteColumn - 1)).toString("utf8").length + 1;
    const full = raw.toString("utf8").replace(/\r$/, "");
    let offset = 0;
    let text = full;
    if (full.length > this.maxLineChars) {
      offset = Math.max(0, Math.min(column - 1 - 40, full.length - this.maxLineChars));
      text = full.slice(offset, offset + this.maxLineChars);
    }
    return { path, line, column, text, offset, line_truncated: text.length < full.length };
  }
}

export function grepCommit(dir: string, commit: string, opts: GrepOptions): Promise<GrepResult> {
  const args = [
    "grep",
    "-z",
    "-n",
    "--column",
    "-I",
    "--no-color",
    "--full-name",
    ...(opts.ignoreCase ? ["-i"] : []),
    SYNTAX_FLAG[opts.syntax],
    "-e",
    opts.pattern,
    commit,
    "--",
  ];
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = gitSpawn(args, { cwd: dir, env: READ_ENV });
    const parser = new GrepParser(Buffer.from(`${commit}:`), opts.maxLineChars);
    const matches: GrepMatch[] = [];
    let stopped = false;
    let timedOut = false;
    let bytes = 0;
    let stderr = "";
    const stop = () => {
      stopped = true;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      if (stopped) return;
      bytes += d.length;
      parser.push(d, matches, opts.maxMatches + 1);
      if (matches.length > opts.maxMatches || bytes > maxBytes) stop();
    });
    child.stderr!.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString("utf8");
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new GitError(`git could not start: ${e.message}`, null, ""));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const truncated = stopped || matches.length > opts.maxMatches;
      const result = { matches: matches.slice(0, opts.maxMatches), truncated, timedOut };
      if (stopped || code === 0 || code === 1) return resolve(result); // 1: nothing matched
      const message = stderr.trim().split("\n")[0]?.replace(/^fatal:\s*/, "") ?? "";
      if (/USE_LIBPCRE|not compiled with/i.test(stderr)) return reject(new NoPcre(message));
      if (opts.syntax !== "fixed" && /^fatal: (-e option|command line)|pcre2?_\w+ failed/im.test(stderr))
        return reject(new InvalidPattern(message.replace(/^-e option, /, "")));
      reject(new GitError(`git grep failed (${code}): ${message}`, code, stderr));
    });
    child.stdin!.on("error", () => {});
    child.stdin!.end();
  });
}
