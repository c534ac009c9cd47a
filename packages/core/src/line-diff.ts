// Lines added and removed between two texts (shared by the forge's git layer and mic), as `git diff --numstat` counts them for a
// minimal diff (Myers' O(ND) algorithm over lines with their terminators), and the numbers
// of the added lines in the new text (for the secret scan). Past `maxEdits` differences the
// differing middle (after the common head and tail) counts as wholly replaced: more lines
// are then reported as added than git would, never fewer.
export interface LineDiff {
  added: number;
  removed: number;
  /** 1-based numbers of the added lines in the new text, ascending. */
  addedLines: number[];
}

export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  const out = lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));
  if (out[out.length - 1] === "") out.pop();
  return out;
}

/** Git treats a blob with a NUL in its first 8,000 bytes as binary. */
export const isBinary = (data: Buffer) => data.subarray(0, 8000).includes(0);

/** The lines two texts share at their start and end, and the differing middles between. */
export function trimCommon(a: string[], b: string[]) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  return { head, tail, x: a.slice(head, a.length - tail), y: b.slice(head, b.length - tail) };
}

export function lineDiff(a: string[], b: string[], maxEdits = 4000): LineDiff {
  const { head, x, y } = trimCommon(a, b);
  const keptNew = myersKept(x, y, maxEdits);
  const addedLines: number[] = [];
  for (let j = 0; j < y.length; j++) if (!keptNew?.has(j)) addedLines.push(head + j + 1);
  const kept = keptNew?.size ?? 0;
  return { added: y.length - kept, removed: x.length - kept, addedLines };
}

/** Indexes of `y` on a longest common subsequence with `x`, or null past maxEdits. */
function myersKept(x: string[], y: string[], maxEdits: number): Set<number> | null {
  const pairs = myersPairs(x, y, maxEdits);
  return pairs && new Set(pairs.map(([, j]) => j));
}

/**
 * The lines `x` and `y` keep in common on a longest common subsequence, as [index in x,
 * index in y] pairs in ascending order; null when they differ by more than maxEdits lines.
 */
export function myersPairs(x: string[], y: string[], maxEdits = 4000): [number, number][] | null {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return [];
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let i = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let j = i - k;
      while (i < n && j < m && x[i] === y[j]) {
        i++;
        j++;
      }
      v[off + k] = i;
      if (i >= n && j >= m) return backtrack(trace, x, y, d, off);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], x: string[], y: string[], dEnd: number, off: number) {
  const kept: [number, number][] = [];
  let i = x.length;
  let j = y.length;
  for (let d = dEnd; d >= 0; d--) {
    const v = trace[d];
    const k = i - j;
    let prevK: number;
    if (d === 0) prevK = 0;
    else prevK = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? k + 1 : k - 1;
    const prevI = d === 0 ? 0 : v[off + prevK];
    const prevJ = prevI - prevK;
    while (i > prevI && j > prevJ) {
      i--;
      j--;
      kept.push([i, j]);
    }
    i = prevI;
    j = prevJ;
  }
  return kept.reverse();
}
