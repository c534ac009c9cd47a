// Keeps trunk and the database in agreement. Commits on refs/heads/main that have no
// landing yet — from a crash between moving the ref and recording, or from a plain
// `git push` — are recorded as landings: commits carrying a Micelio-Session trailer land
// their session; other pushed commits form one implicit session per consecutive range.
// Everything is read through the git layer: the range in one `git log` stream (however many
// commits were pushed), the changes from the long-lived `cat-file --batch`; the landings
// are recorded in one transaction with the head position's compare-and-swap (record.ts).
import type { Db } from "../db/db.ts";
import { commitChangeStats } from "../repos/git-layer/change-stats.ts";
import { firstParentCommits, type WalkedCommit } from "../repos/git-layer/commit-walk.ts";
import { GitRepo } from "../repos/git-layer/git-repo.ts";
import { trunkHeadOf } from "./git-land.ts";
import type { PendingLanding } from "./land-types.ts";
import { recordLandings } from "./record.ts";

export interface Pusher {
  id: string;
  handle: string;
}

export const SESSION_TRAILER = "Micelio-Session";
const SESSION_ID = /^[0-9A-Z]{26}$/;

/** The project's head position and the commit recorded there (null: nothing landed), in one query. */
export async function recordedHead(db: Db, projectId: string) {
  const row = await db
    .selectFrom("projects as p")
    .select((eb) => [
      "p.head_position",
      eb
        .selectFrom("landings as l")
        .select("l.commit_sha")
        .whereRef("l.project_id", "=", "p.id")
        .whereRef("l.position", "=", "p.head_position")
        .as("commit"),
    ])
    .where("p.id", "=", projectId)
    .executeTakeFirstOrThrow();
  return { position: row.head_position, commit: row.commit ?? null };
}

/**
 * Records unrecorded trunk commits; returns how many landings were added. Without `repo`, a
 * layer repository is opened for the call and closed after. When trunk is where the database
 * says (the common case) no git process is started; otherwise one for the whole range.
 */
export async function reconcileTrunk(
  db: Db,
  dir: string,
  projectId: string,
  pusher?: Pusher,
  repo?: GitRepo,
): Promise<number> {
  if (repo) return reconcileWith(db, repo, projectId, pusher);
  const own = new GitRepo(dir);
  try {
    return await reconcileWith(db, own, projectId, pusher);
  } finally {
    own.close();
  }
}

async function reconcileWith(db: Db, repo: GitRepo, projectId: string, pusher?: Pusher) {
  const trunk = await trunkHeadOf(repo);
  const recorded = await recordedHead(db, projectId);
  if (!trunk || trunk === recorded.commit) return 0;
  const commits = await firstParentCommits(repo.dir, trunk, recorded.commit, SESSION_TRAILER);
  if (commits.length === 0) return 0;
  const groups = groupCommits(commits, await openSessions(db, projectId, commits));
  const pending: PendingLanding[] = [];
  for (const g of groups) {
    const first = g.commits[0];
    const last = g.commits[g.commits.length - 1];
    const stats = await commitChangeStats(repo, first.parent, last.oid);
    pending.push({
      sessionId: g.sessionId,
      goal: first.subject || "Pushed commits",
      authorHandle: pusher?.handle ?? (first.author || "unknown"),
      landedBy: pusher?.handle,
      commit: last.oid,
      parent: first.parent,
      paths: stats.paths,
      linesAdded: stats.linesAdded,
      linesRemoved: stats.linesRemoved,
      implicit: g.sessionId ? undefined : { authorId: pusher?.id ?? null, origin: "human" },
    });
  }
  await recordLandings(db, projectId, recorded.position, pending);
  return pending.length;
}

/** The session a commit's trailer names (its first Micelio-Session value), if well formed. */
export const sessionOf = (c: WalkedCommit) => {
  const id = c.trailers[0];
  return id && SESSION_ID.test(id) ? id : null;
};

/** Which of the sessions the commits name are open sessions of this project (queried in batches). */
async function openSessions(db: Db, projectId: string, commits: WalkedCommit[]): Promise<Set<string>> {
  const named = [...new Set(commits.map(sessionOf).filter((s): s is string => s !== null))];
  const open = new Set<string>();
  for (let i = 0; i < named.length; i += 1000) {
    const rows = await db
      .selectFrom("sessions")
      .select("id")
      .where("id", "in", named.slice(i, i + 1000))
      .where("project_id", "=", projectId)
      .where("status", "=", "open")
      .execute();
    for (const r of rows) open.add(r.id);
  }
  return open;
}

export interface CommitGroup {
  sessionId: string | null;
  commits: WalkedCommit[];
}

/**
 * One landing per commit of an open session (the first commit naming it; a session lands
 * once), and one implicit session per run of other commits.
 */
export function groupCommits(commits: WalkedCommit[], open: Set<string>): CommitGroup[] {
  const groups: CommitGroup[] = [];
  const landed = new Set<string>();
  for (const c of commits) {
    const sid = sessionOf(c);
    if (sid && open.has(sid) && !landed.has(sid)) {
      landed.add(sid);
      groups.push({ sessionId: sid, commits: [c] });
    } else if (groups.length && groups[groups.length - 1].sessionId === null) {
      groups[groups.length - 1].commits.push(c);
    } else groups.push({ sessionId: null, commits: [c] });
  }
  return groups;
}
