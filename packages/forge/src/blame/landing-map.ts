// Which landing brought a commit to trunk. A commit's landing is the first landing (lowest
// position) whose commit contains it. Most blamed commits are landing commits themselves and
// are found by `landings.commit_sha`. The rest — the earlier commits of a multi-commit push
// (and the side branches it merged), or history imported before any landing — are placed by
// ancestry: trunk only moves forward, each landing's commit descends from the previous one,
// so "is an ancestor of landing p's commit" is monotone in p and the answer is a binary search
// over positions. The searches for all commits run together, and each probe is one
// `git rev-list <commits> ^<landing commit>` (a commit that is listed is not an ancestor), so
// a probe walks only commits landed between two positions, never the whole history:
//   1. drop commits that are not ancestors of the head landing (not on trunk: no landing);
//   2. look back from the head in windows of 1, 2, 4, … landings until every commit is in one;
//   3. bisect each window down to single positions.
// Commits that are ancestors of the first landing's parent came before any landing: none.
import { gitStream } from "../repos/git.ts";

export interface LandingStore {
  /** The trunk's head position (0 when nothing has landed). */
  head(): Promise<number>;
  /** Landing commit and parent at a position. */
  at(position: number): Promise<{ commit: string; parent: string | null } | undefined>;
  /** Positions of the landings whose commit is one of `shas` (commit → lowest position). */
  byCommits(shas: string[]): Promise<Map<string, number>>;
}

export interface LandingMap {
  /** Commit → position of the landing that brought it; commits without a landing are absent. */
  positions: Map<string, number>;
  /** False when the search ran out of time; unmapped commits may then still have a landing. */
  complete: boolean;
}

const SEARCH_MS = 10_000;

class OutOfTime extends Error {}

/**
 * What earlier searches of one project found: a commit's landing never changes once found
 * (landings are only appended), and a commit without one keeps none while trunk's head
 * position stays where it was when that was found.
 */
export interface LandingMemo {
  found: Map<string, number>;
  absentAt: Map<string, number>;
}

/** Like searchLandings, answering from `memo` what it already knows and remembering the rest. */
export async function mapToLandings(
  dir: string,
  store: LandingStore,
  shas: string[],
  memo?: LandingMemo,
): Promise<LandingMap> {
  if (!memo) return searchLandings(dir, store, shas);
  const head = await store.head();
  const known = new Map<string, number>();
  const ask: string[] = [];
  for (const s of shas) {
    const p = memo.found.get(s);
    if (p !== undefined) known.set(s, p);
    else if (memo.absentAt.get(s) !== head) ask.push(s);
  }
  if (ask.length === 0) return { positions: known, complete: true };
  const got = await searchLandings(dir, store, ask);
  if (memo.found.size + memo.absentAt.size > 100_000) {
    memo.found.clear();
    memo.absentAt.clear();
  }
  for (const s of ask) {
    const p = got.positions.get(s);
    if (p !== undefined) memo.found.set(s, p);
    else if (got.complete) memo.absentAt.set(s, head);
  }
  for (const [s, p] of known) got.positions.set(s, p);
  return got;
}

/** Maps each of `shas` (full commit ids) to the landing that brought it, where there is one. */
async function searchLandings(dir: string, store: LandingStore, shas: string[]): Promise<LandingMap> {
  const positions = await store.byCommits(shas);
  let rest = shas.filter((s) => !positions.has(s));
  if (rest.length === 0) return { positions, complete: true };
  const head = await store.head();
  const top = head > 0 ? await store.at(head) : undefined;
  if (!top) return { positions, complete: true };
  const deadline = Date.now() + SEARCH_MS;
  const outside = (cs: string[], commit: string) => notAncestors(dir, cs, commit, deadline);
  const commitAt = async (p: number) => {
    const row = await store.at(p);
    if (!row) throw new Error(`no landing at position ${p}`);
    return row.commit;
  };
  /** Every commit of `cs` is in positions lo+1..hi: narrow each to one position. */
  const bisect = async (cs: string[], lo: number, hi: number): Promise<void> => {
    if (cs.length === 0) return;
    if (hi - lo === 1) {
      for (const c of cs) positions.set(c, hi);
      return;
    }
    const mid = (lo + hi) >> 1;
    const later = await outside(cs, await commitAt(mid));
    await bisect(
      cs.filter((c) => later.has(c)),
      mid,
      hi,
    );
    await bisect(
      cs.filter((c) => !later.has(c)),
      lo,
      mid,
    );
  };
  try {
    const offTrunk = await outside(rest, top.commit);
    rest = rest.filter((c) => !offTrunk.has(c));
    let hi = head;
    let size = 1;
    while (rest.length && hi > 0) {
      const lo = Math.max(0, hi - size);
      // Below position 1 is the history the first landing was made on (null: none).
      const floor = lo > 0 ? await commitAt(lo) : ((await store.at(1))?.parent ?? null);
      const inWindow = floor ? await outside(rest, floor) : new Set(rest);
      await bisect(
        rest.filter((c) => inWindow.has(c)),
        lo,
        hi,
      );
      rest = rest.filter((c) => !inWindow.has(c));
      hi = lo;
      size *= 2;
    }
    return { positions, complete: true };
  } catch (err) {
    if (err instanceof OutOfTime) return { positions, complete: false };
    throw err;
  }
}

/**
 * The commits of `cs` that are not ancestors of `commit` (nor `commit` itself): those listed by
 * `git rev-list --stdin` given `cs` and `^commit`. Stops reading as soon as all are seen.
 */
export async function notAncestors(
  dir: string,
  cs: string[],
  commit: string,
  deadline: number,
): Promise<Set<string>> {
  const wanted = new Set(cs);
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  let partial = "";
  const run = await gitStream(
    ["rev-list", "--stdin"],
    { cwd: dir, input: `${cs.join("\n")}\n^${commit}\n`, timeoutMs: Math.max(0, deadline - Date.now()) },
    (chunk) => {
      const rows = (partial + chunk.toString("utf8")).split("\n");
      partial = rows.pop() ?? "";
      for (const sha of rows) if (wanted.has(sha)) found.add(sha);
      return found.size < wanted.size;
    },
  );
  if (wanted.has(partial)) found.add(partial);
  if (run.timedOut && found.size < wanted.size) throw new OutOfTime();
  if (run.stopped || run.code === 0) return found;
  throw new Error(`git rev-list failed (${run.code}): ${run.stderr.trim().split("\n")[0] ?? ""}`);
}
