// Blame by session: every line of a file at a ref, with the commit that last changed it and
// the landing (position and session: goal, author, agent) that brought that commit to trunk
// (landing-map.ts explains how). Lines whose commit has no landing — history from before the
// first landing, or a branch that never landed — keep their commit's author, date and summary.
// Consecutive lines with the same attribution (a landing, else a commit) form a hunk.
// Access goes through browse-service (getProject: private projects are 404 to outsiders);
// git's blame output is cached by commit and path in the render cache, and which landing
// brought each commit is remembered per project (landing-map.ts LandingMemo), so a warm blame
// page starts no git process.

import type { Viewer } from "../accounts/viewer.ts";
import { checkPath, openRepo, type Repo, renderCache } from "../browse/browse-service.ts";
import { isBinary, type Location, readBlob, statPath, type TreeEntry } from "../browse/git-read.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { type BlameCommit, type BlameLine, gitBlame, type RawBlame } from "./blame-git.ts";
import { type LandingMemo, mapToLandings } from "./landing-map.ts";
import { type BlameLanding, dbLandingStore, landingDetails } from "./landing-store.ts";

/** Larger files are refused (413): blame walks the file's whole history. */
export const MAX_BLAME_BYTES = 1024 * 1024;
export const MAX_BLAME_LINES = 20_000;

export interface BlameHunk {
  /** First and last line (1-based, inclusive). */
  start: number;
  end: number;
  /** The landing these lines came with, or null (then all lines share one commit). */
  position: number | null;
  /** The distinct commits of the lines, in order of first appearance. */
  commits: string[];
}

export interface BlameView {
  repo: Repo;
  loc: Location;
  entry: TreeEntry;
  /** The file's text (for highlighting). */
  text: string;
  lines: BlameLine[];
  hunks: BlameHunk[];
  commits: Map<string, BlameCommit & { position: number | null }>;
  landings: Map<number, BlameLanding>;
  /** False when the landing search ran out of time (some lines may lack their landing). */
  complete: boolean;
}

const tooLarge = (what: string) =>
  new AppError("too_large", `This file is too large to blame (${what}); view its history instead`);

/** Opens the repository (access checked) and blames `loc.path` at `loc.commit`. */
export async function blame(forge: Forge, viewer: Viewer, owner: string, project: string, loc: Location) {
  const repo = await openRepo(forge, viewer, owner, project);
  return blameFile(forge, repo, loc, viewer);
}

/**
 * Blames a file of a repository the caller may read; 404 unless `loc.path` is a file. With the
 * viewer, sessions of other projects (a fork's inherited landings) name their project when
 * the viewer may read it.
 */
export async function blameFile(
  forge: Forge,
  repo: Repo,
  loc: Location,
  viewer?: Viewer,
): Promise<BlameView> {
  const path = checkPath(loc.path);
  if (!path) throw notFound("Not a file");
  const entry = await statPath(repo.git, loc.commit, path);
  if (entry?.type !== "blob") throw notFound("No such file");
  if ((entry.size ?? 0) > MAX_BLAME_BYTES) throw tooLarge(`more than ${MAX_BLAME_BYTES} bytes`);
  const { data } = await readBlob(repo.git, entry.oid, MAX_BLAME_BYTES);
  if (isBinary(data)) throw new AppError("invalid", "Binary files have no lines to blame");
  let newlines = 0;
  for (const byte of data) if (byte === 10 && ++newlines > MAX_BLAME_LINES) break;
  if (newlines > MAX_BLAME_LINES) throw tooLarge(`more than ${MAX_BLAME_LINES} lines`);

  const raw = await cachedBlame(forge, repo.dir, loc.commit, path);
  const { positions, complete } = await mapToLandings(
    repo.dir,
    dbLandingStore(forge.db, repo.project.id),
    [...raw.commits.keys()],
    landingMemo(repo.project.id),
  );
  const landings = await landingDetails(forge.db, repo.project.id, [...new Set(positions.values())], viewer);
  const commits = new Map<string, BlameCommit & { position: number | null }>();
  for (const [sha, c] of raw.commits) {
    const position = positions.get(sha);
    commits.set(sha, { ...c, position: position !== undefined && landings.has(position) ? position : null });
  }
  return {
    repo,
    loc: { ...loc, path },
    entry,
    text: data.toString("utf8"),
    lines: raw.lines,
    hunks: groupHunks(raw.lines, commits),
    commits,
    landings,
    complete,
  };
}

const memos = new Map<string, LandingMemo>();

/** The project's memo of commits' landings (at most 256 projects' are kept). */
function landingMemo(projectId: string): LandingMemo {
  let memo = memos.get(projectId);
  if (memo) memos.delete(projectId);
  else memo = { found: new Map(), absentAt: new Map() };
  memos.set(projectId, memo);
  if (memos.size > 256) memos.delete(memos.keys().next().value!);
  return memo;
}

/** Consecutive lines with the same landing (or, without one, the same commit) as hunks. */
export function groupHunks(
  lines: BlameLine[],
  commits: Map<string, { position: number | null }>,
): BlameHunk[] {
  const hunks: BlameHunk[] = [];
  let key = "";
  for (const l of lines) {
    const position = commits.get(l.commit)?.position ?? null;
    const k = position !== null ? `p${position}` : `c${l.commit}`;
    const last = hunks[hunks.length - 1];
    if (last && k === key && l.line === last.end + 1) {
      last.end = l.line;
      if (!last.commits.includes(l.commit)) last.commits.push(l.commit);
    } else {
      hunks.push({ start: l.line, end: l.line, position, commits: [l.commit] });
      key = k;
    }
  }
  return hunks;
}

/** Git's blame of a path at a commit never changes: it is cached by commit and path. */
async function cachedBlame(forge: Forge, dir: string, commit: string, path: string): Promise<RawBlame> {
  const key = `${commit}:blame:v1:${path}`;
  const json = await renderCache(forge).getOrCompute(key, async () => {
    const raw = await gitBlame(dir, commit, path);
    return JSON.stringify({ lines: raw.lines, commits: [...raw.commits.values()] });
  });
  const parsed = JSON.parse(json) as { lines: BlameLine[]; commits: (BlameCommit & { date: string })[] };
  return {
    lines: parsed.lines,
    commits: new Map(parsed.commits.map((c) => [c.sha, { ...c, date: new Date(c.date) }])),
  };
}
