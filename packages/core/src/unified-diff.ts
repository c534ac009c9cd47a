// A unified diff of two texts, as `git diff` prints one file: `---`/`+++` headers, hunks with
// `@@ -a,b +c,d @@` and `context` lines around each change (hunks closer than twice that are
// joined), "\ No newline at end of file" where a last line has no terminator. Lines are
// matched by Myers' algorithm (line-diff.ts); past its edit limit the differing middle is shown
// as wholly replaced. Binary texts (a NUL in the first 8,000 bytes) are only named.
import { isBinary, myersPairs, splitLines, trimCommon } from "./line-diff.ts";

export interface DiffSide {
  /** The path shown for this side, or null for /dev/null (added or deleted file). */
  path: string | null;
  content: Buffer;
}

/** One operation of the line script: kept, removed (old only) or added (new only). */
type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

function script(a: string[], b: string[]): Op[] {
  const { head, tail, x, y } = trimCommon(a, b);
  const pairs = myersPairs(x, y) ?? [];
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ kind: " ", line: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...pairs, [x.length, y.length] as [number, number]]) {
    for (; i < pi; i++) ops.push({ kind: "-", line: x[i]!, a: head + i, b: head + j });
    for (; j < pj; j++) ops.push({ kind: "+", line: y[j]!, a: head + i, b: head + j });
    if (pi < x.length) {
      ops.push({ kind: " ", line: x[pi]!, a: head + pi, b: head + pj });
      i++;
      j++;
    }
  }
  for (let k = 0; k < tail; k++) {
    const ai = a.length - tail + k;
    ops.push({ kind: " ", line: a[ai]!, a: ai, b: b.length - tail + k });
  }
  return ops;
}

const range = (start: number, count: number) =>
  count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;

/** The unified diff of one file, "" when both sides are the same. */
export function unifiedDiff(before: DiffSide, after: DiffSide, context = 3): string {
  if (before.content.equals(after.content) && before.path !== null && after.path !== null) return "";
  const from = before.path === null ? "/dev/null" : `a/${before.path}`;
  const to = after.path === null ? "/dev/null" : `b/${after.path}`;
  if (isBinary(before.content) || isBinary(after.content)) return `Binary files ${from} and ${to} differ\n`;
  const ops = script(splitLines(before.content.toString("utf8")), splitLines(after.content.toString("utf8")));
  const out = [`--- ${from}`, `+++ ${to}`];
  const changed = ops.flatMap((op, k) => (op.kind === " " ? [] : [k]));
  // Changes closer than twice the context share a hunk.
  const groups: [number, number][] = [];
  for (const c of changed) {
    const g = groups.at(-1);
    if (g && c - g[1] - 1 <= 2 * context) g[1] = c;
    else groups.push([c, c]);
  }
  for (const [first, last] of groups) out.push(...hunk(ops, first, last, context));
  return `${out.join("\n")}\n`;
}

/** A hunk: the changes from `first` to `last` (indexes in `ops`) with their context. */
function hunk(ops: Op[], first: number, last: number, context: number): string[] {
  const slice = ops.slice(Math.max(0, first - context), Math.min(ops.length, last + context + 1));
  const aCount = slice.filter((o) => o.kind !== "+").length;
  const bCount = slice.filter((o) => o.kind !== "-").length;
  const lines = [`@@ -${range(slice[0]!.a + 1, aCount)} +${range(slice[0]!.b + 1, bCount)} @@`];
  for (const o of slice) {
    lines.push(`${o.kind}${o.line.endsWith("\n") ? o.line.slice(0, -1) : o.line}`);
    if (!o.line.endsWith("\n")) lines.push("\\ No newline at end of file");
  }
  return lines;
}
