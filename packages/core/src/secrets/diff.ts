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

/** Parses `patch` and returns the added lines of each file, in the order they appear. */
export function addedLines(patch: string): AddedFile[] {
  const files: AddedFile[] = [];
  let current: AddedFile | null = null;
  let path: string | null = null;
  let inHunk = false;
  let parents = 1;
  let oldLeft = 0;
  let newLeft = 0;
  let lineNo = 0;

  const lines = patch.split("\n");
  for (let raw of lines) {
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    if (inHunk) {
      if (raw.startsWith("diff ") || raw.startsWith("@@")) inHunk = false;
      else if (parents === 1 && oldLeft <= 0 && newLeft <= 0) inHunk = false;
      else if (raw.startsWith("\\")) continue;
      else {
        const prefix = raw.length >= parents ? raw.slice(0, parents) : raw.padEnd(parents, " ");
        if (!/^[ +-]*$/.test(prefix)) inHunk = false;
        else if (prefix.includes("-")) {
          oldLeft--;
          continue;
        } else if (newLeft <= 0) {
          inHunk = false;
        } else {
          if (prefix.includes("+") && current) current.lines.push({ line: lineNo, text: raw.slice(parents) });
          if (!prefix.includes("+")) oldLeft--;
          newLeft--;
          lineNo++;
          continue;
        }
      }
    }
    // Outside a hunk: file headers, hunk headers and anything else (commit messages).
    if (raw.startsWith("diff ")) {
      path = null;
      current = null;
    } else if (raw.startsWith("+++ ")) {
      path = newPath(raw);
      current = null;
    } else if (raw.startsWith("@@")) {
      const h = HUNK.exec(raw);
      if (!h) continue;
      parents = h[1]!.length - 1;
      lineNo = Number(h[2]);
      newLeft = h[3] === undefined ? 1 : Number(h[3]);
      oldLeft = Number.POSITIVE_INFINITY;
      if (parents === 1) {
        const old = /^@@ -\d+(?:,(\d+))? /.exec(raw);
        oldLeft = old?.[1] === undefined ? 1 : Number(old[1]);
      }
      inHunk = true;
      if (path !== null && current === null) {
        current = files.find((f) => f.path === path) ?? null;
        if (!current) {
          current = { path, lines: [] };
          files.push(current);
        }
      }
    }
  }
  return files.filter((f) => f.lines.length > 0);
}
