// Reads a unified diff (`git diff`, `git diff -U0`, `git show`, also combined merge
// diffs) and returns, per file, the lines it adds with their numbers in the new file.
import type { ScanLine } from "./patterns.ts";

export interface AddedFile {
  /** Path in the new tree, without git's `b/` prefix. */
  path: string;
  lines: ScanLine[];
}

const encoder = new TextEncoder();

/** Undoes git's C-style quoting of unusual paths ("a\tb", octal-escaped UTF-8 bytes). */
export function unquoteGitPath(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const bytes: number[] = [];
  const body = raw.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, "\\": 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "\\" && i + 1 < body.length) {
      const next = body[i + 1]!;
      const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
      if (octal) {
        bytes.push(Number.parseInt(octal[0], 8));
        i += 3;
        continue;
      }
      if (next in simple) {
        bytes.push(simple[next]!);
        i += 1;
        continue;
      }
    }
    for (const b of encoder.encode(ch)) bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The new-side path named by a `+++ ` line, or null for `/dev/null`. */
function newPath(header: string): string | null {
  let p = header.slice(4);
  if (!p.startsWith('"')) {
    const tab = p.indexOf("\t");
    if (tab >= 0) p = p.slice(0, tab);
  }
  p = unquoteGitPath(p.trimEnd());
  if (p === "/dev/null") return null;
  return p.startsWith("b/") ? p.slice(2) : p;
}

const HUNK = /^(@{2,}) (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @{2,}/;

/** What a PatchReader reports as it reads a patch line by line. */
export interface PatchEvents {
  /** A file's first hunk starts (path in the new tree); its added lines follow. */
  file(path: string): void;
  /** A line the current file adds, numbered in the new file. */
  added(line: ScanLine): void;
}

/**
 * Reads a unified diff one line at a time (each without its "\n"), so a patch of any size
 * can be read as it streams; addedLines reads a whole patch with it.
 */
export class PatchReader {
  private path: string | null = null;
  /** Inside a file whose added lines are reported. */
  private inFile = false;
  private inHunk = false;
  private parents = 1;
  private oldLeft = 0;
  private newLeft = 0;
  private lineNo = 0;

  constructor(private readonly on: PatchEvents) {}

  read(line: string) {
    const raw = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (this.inHunk) {
      const parents = this.parents;
      if (raw.startsWith("diff ") || raw.startsWith("@@")) this.inHunk = false;
      else if (parents === 1 && this.oldLeft <= 0 && this.newLeft <= 0) this.inHunk = false;
      else if (raw.startsWith("\\")) return;
      else {
        const prefix = raw.length >= parents ? raw.slice(0, parents) : raw.padEnd(parents, " ");
        if (!/^[ +-]*$/.test(prefix)) this.inHunk = false;
        else if (prefix.includes("-")) {
          this.oldLeft--;
          return;
        } else if (this.newLeft <= 0) {
          this.inHunk = false;
        } else {
          if (prefix.includes("+") && this.inFile)
            this.on.added({ line: this.lineNo, text: raw.slice(parents) });
          if (!prefix.includes("+")) this.oldLeft--;
          this.newLeft--;
          this.lineNo++;
          return;
        }
      }
    }
    // Outside a hunk: file headers, hunk headers and anything else (commit messages).
    if (raw.startsWith("diff ")) {
      this.path = null;
      this.inFile = false;
    } else if (raw.startsWith("+++ ")) {
      this.path = newPath(raw);
      this.inFile = false;
    } else if (raw.startsWith("@@")) {
      const h = HUNK.exec(raw);
      if (!h) return;
      this.parents = h[1]!.length - 1;
      this.lineNo = Number(h[2]);
      this.newLeft = h[3] === undefined ? 1 : Number(h[3]);
      this.oldLeft = Number.POSITIVE_INFINITY;
      if (this.parents === 1) {
        const old = /^@@ -\d+(?:,(\d+))? /.exec(raw);
        this.oldLeft = old?.[1] === undefined ? 1 : Number(old[1]);
      }
      this.inHunk = true;
      if (this.path !== null && !this.inFile) {
        this.inFile = true;
        this.on.file(this.path);
      }
    }
  }
}

/** Parses `patch` and returns the added lines of each file, in the order they appear. */
export function addedLines(patch: string): AddedFile[] {
  const files: AddedFile[] = [];
  let current: AddedFile | null = null;
  const reader = new PatchReader({
    file(path) {
      current = files.find((f) => f.path === path) ?? null;
      if (!current) {
        current = { path, lines: [] };
        files.push(current);
      }
    },
    added(line) {
      current!.lines.push(line);
    },
  });
  for (const raw of patch.split("\n")) reader.read(raw);
  return files.filter((f) => f.lines.length > 0);
}
