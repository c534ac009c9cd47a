// Runs `git grep` over one commit's tree through the git layer (repos/git-layer/grep.ts) and
// parses its NUL-separated output as it streams: the pattern goes in as `-e <pattern>` (never read as an option), the commit is a full id we
// resolved, and the process is killed after a time limit, a number of matches, or an amount
// of output; the answer then says it is partial. Invalid patterns come back as InvalidPattern.
import { GitError } from "../repos/git.ts";
import { grepStream } from "../repos/git-layer/grep.ts";

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
  /** Characters in the full line. */
  line_length: number;
  /** Where the matches are within `text`: [start, end) character offsets. */
  ranges: Array<[number, number]>;
}

export interface GrepResult {
  matches: GrepMatch[];
  /** More matches may exist: a limit (count, output size, or time) stopped the search. */
  truncated: boolean;
  timedOut: boolean;
}

export class InvalidPattern extends Error {}
/** A valid PCRE pattern that hit PCRE's match, depth or JIT stack limit on this content. */
export class PatternTooCostly extends InvalidPattern {}
/** This git cannot do Perl-compatible regexes. */
export class NoPcre extends Error {}

const SYNTAX_FLAG = { fixed: "-F", perl: "-P", extended: "-E" } as const;

/** One record of `git grep -z -n --column`: "<commit>:<path>\0<line>\0<column>\0<text>\n". */
interface RawRecord {
  path: string;
  line: number;
  /** 1-based byte column of the (first) match. */
  byteColumn: number;
  /** The whole line, or with -o the matched text. */
  raw: Buffer;
}

/** Splits git grep output as it streams (paths may hold any byte but NUL, lines any but LF). */
class GrepParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly prefix: Buffer) {}

  push(chunk: Buffer, out: RawRecord[], max: number) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (out.length < max) {
      const rec = this.next();
      if (!rec) break;
      out.push(rec);
    }
  }

  private next(): RawRecord | undefined {
    const b = this.buf;
    const pathEnd = b.indexOf(0, this.prefix.length);
    if (pathEnd < 0) return undefined;
    const lineEnd = b.indexOf(0, pathEnd + 1);
    if (lineEnd < 0) return undefined;
    const colEnd = b.indexOf(0, lineEnd + 1);
    if (colEnd < 0) return undefined;
    const textEnd = b.indexOf(10, colEnd + 1);
    if (textEnd < 0) return undefined;
    this.buf = b.subarray(textEnd + 1);
    return {
      path: b.subarray(this.prefix.length, pathEnd).toString("utf8"),
      line: Number(b.subarray(pathEnd + 1, lineEnd).toString("latin1")),
      byteColumn: Number(b.subarray(lineEnd + 1, colEnd).toString("latin1")),
      raw: b.subarray(colEnd + 1, textEnd),
    };
  }
}

interface RunResult {
  records: RawRecord[];
  stopped: boolean;
  timedOut: boolean;
}

/** Runs one git grep, stopping at maxRecords records, maxBytes of output or the deadline. */
async function runGrep(
  dir: string,
  commit: string,
  args: string[],
  opts: { syntax: GrepOptions["syntax"]; maxRecords: number; maxBytes: number; deadline: number },
): Promise<RunResult> {
  // Out of time before starting (a zero limit, or the first run used it all): do not spawn.
  if (Date.now() >= opts.deadline) return { records: [], stopped: true, timedOut: true };
  const parser = new GrepParser(Buffer.from(`${commit}:`));
  const records: RawRecord[] = [];
  let bytes = 0;
  const run = await grepStream(dir, args, Math.max(0, opts.deadline - Date.now()), (d) => {
    bytes += d.length;
    parser.push(d, records, opts.maxRecords + 1);
    return records.length <= opts.maxRecords && bytes <= opts.maxBytes;
  });
  const result = {
    records: records.slice(0, opts.maxRecords),
    stopped: run.stopped || records.length > opts.maxRecords,
    timedOut: run.timedOut,
  };
  if (run.stopped || run.code === 0 || run.code === 1) return result; // 1: nothing matched
  const message =
    run.stderr
      .trim()
      .split("\n")[0]
      ?.replace(/^fatal:\s*/, "") ?? "";
  if (/USE_LIBPCRE|not compiled with/i.test(run.stderr)) throw new NoPcre(message);
  if (opts.syntax !== "fixed" && /pcre2?_\w+ failed.*(limit|recursion)/i.test(run.stderr))
    throw new PatternTooCostly(message);
  if (opts.syntax !== "fixed" && /^fatal: (-e option|command line)|pcre2?_\w+ failed/im.test(run.stderr))
    throw new InvalidPattern(message.replace(/^-e option, /, ""));
  throw new GitError(`git grep failed (${run.code}): ${message}`, run.code, run.stderr);
}

const charsBefore = (raw: Buffer, byteColumn: number) =>
  raw.subarray(0, Math.max(0, byteColumn - 1)).toString("utf8").length;

/**
 * Where each -o match sits on the line, as character offsets. git 2.39 reports a wrong
 * --column for the second and later -o matches on a line, so only the first (which agrees
 * with the line's own column) is taken from git; each later one is found as the next
 * occurrence of its matched text after the previous match.
 */
function matchSpans(line: RawRecord, parts: RawRecord[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let from = Math.max(0, line.byteColumn - 1);
  for (const part of parts) {
    const at = line.raw.indexOf(part.raw, from);
    if (at < 0 || part.raw.length === 0) break;
    const start = line.raw.subarray(0, at).toString("utf8").length;
    spans.push([start, start + part.raw.toString("utf8").length]);
    from = at + part.raw.length;
  }
  return spans;
}

/**
 * Searches the commit: first the matching lines, then (within what is left of the time
 * limit) every match on those lines with -o, so the ranges to highlight are exactly git's.
 */
export async function grepCommit(dir: string, commit: string, opts: GrepOptions): Promise<GrepResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const pattern = [...(opts.ignoreCase ? ["-i"] : []), SYNTAX_FLAG[opts.syntax], "-e", opts.pattern, commit];
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const lines = await runGrep(dir, commit, [...pattern, "--"], {
    syntax: opts.syntax,
    maxRecords: opts.maxMatches,
    maxBytes,
    deadline,
  });
  const paths = [...new Set(lines.records.map((r) => r.path))];
  const parts =
    paths.length && Date.now() < deadline
      ? await runGrep(dir, commit, ["-o", ...pattern, "--", ...paths], {
          syntax: opts.syntax,
          maxRecords: 20_000,
          maxBytes,
          deadline,
        }).catch(() => undefined)
      : undefined;
  const found = new Map<string, RawRecord[]>();
  for (const p of parts?.records ?? []) {
    const key = `${p.line}\0${p.path}`;
    const list = found.get(key) ?? [];
    if (list.length < 100) list.push(p);
    found.set(key, list);
  }
  const matches = lines.records.map((r): GrepMatch => {
    const full = r.raw.toString("utf8").replace(/\r$/, "");
    const column = charsBefore(r.raw, r.byteColumn) + 1;
    let offset = 0;
    let text = full;
    if (full.length > opts.maxLineChars) {
      offset = Math.max(0, Math.min(column - 1 - 40, full.length - opts.maxLineChars));
      text = full.slice(offset, offset + opts.maxLineChars);
    }
    const spans = matchSpans(r, found.get(`${r.line}\0${r.path}`) ?? []);
    const ranges = spans
      .map(([s, e]): [number, number] => [Math.max(0, s - offset), Math.min(text.length, e - offset)])
      .filter(([s, e]) => e > s);
    return {
      path: r.path,
      line: r.line,
      column,
      text,
      offset,
      line_truncated: text.length < full.length,
      line_length: full.length,
      ranges,
    };
  });
  return {
    matches,
    truncated: lines.stopped,
    timedOut: lines.timedOut,
  };
}
