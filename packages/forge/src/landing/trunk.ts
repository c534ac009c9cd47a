// Keeps trunk and the database in agreement. Commits on refs/heads/main that have no
// landing yet — from a crash between moving the ref and recording, or from a plain
// `git push` — are recorded as landings: commits carrying a Micelio-Session trailer land
// their session; other pushed commits form one implicit session per consecutive range.
import type { Db } from "../db/db.ts";
import { git, gitText } from "../repos/git.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { changeStats } from "../sessions/session-changes.ts";
import { sessionTrailer, TRUNK, trunkHead, trunkHeadOf } from "./git-land.ts";
import type { PendingLanding } from "./land-types.ts";
import { recordLandings } from "./record.ts";

export interface Pusher {
  id: string;
  handle: string;
}

export async function recordedHead(db: Db, projectId: string) {
  const project = await db
    .selectFrom("projects")
    .select("head_position")
    .where("id", "=", projectId)
    .executeTakeFirstOrThrow();
  const last = project.head_position
    ? await db
        .selectFrom("landings")
        .select("commit_sha")
        .where("project_id", "=", projectId)
        .where("position", "=", project.head_position)
        .executeTakeFirst()
    : undefined;
  return { position: project.head_position, commit: last?.commit_sha ?? null };
}

/**
 * Records unrecorded trunk commits; returns how many landings were added. With `repo`, the
 * common case (trunk is where the database says) starts no git process.
 */
export async function reconcileTrunk(
  db: Db,
  dir: string,
  projectId: string,
  pusher?: Pusher,
  repo?: GitRepo,
): Promise<number> {
  const trunk = repo ? await trunkHeadOf(repo) : await trunkHead(dir);
  const recorded = await recordedHead(db, projectId);
  if (!trunk || trunk === recorded.commit) return 0;
  const range = recorded.commit ? [trunk, "--not", recorded.commit] : [trunk];
  const list = await gitText(["rev-list", "--first-parent", "--reverse", ...range, "--"], { cwd: dir });
  const commits = list.split("\n").filter(Boolean);
  if (commits.length === 0) return 0;
  const groups: Array<{ sessionId: string | null; commits: string[] }> = [];
  for (const c of commits) {
    const sid = await sessionTrailer(dir, c);
    const open = sid
      ? await db
          .selectFrom("sessions")
          .select("id")
          .where("id", "=", sid)
          .where("project_id", "=", projectId)
          .where("status", "=", "open")
          .executeTakeFirst()
      : undefined;
    if (open) groups.push({ sessionId: open.id, commits: [c] });
    else if (groups.length && groups[groups.length - 1].sessionId === null)
      groups[groups.length - 1].commits.push(c);
    else groups.push({ sessionId: null, commits: [c] });
  }
  const pending: PendingLanding[] = [];
  for (const g of groups) {
    const first = g.commits[0];
    const last = g.commits[g.commits.length - 1];
    const parent =
      (await gitText(["rev-parse", "--verify", "--quiet", `${first}^`], { cwd: dir, okCodes: [1] })).trim() ||
      null;
    const stats = await changeStats(dir, parent, last);
    const [subject, author] = (await gitText(["log", "-1", "--format=%s%x00%an", first], { cwd: dir }))
      .trim()
      .split("\0");
    pending.push({
      sessionId: g.sessionId,
      goal: subject || "Pushed commits",
      authorHandle: pusher?.handle ?? author ?? "unknown",
      commit: last,
      parent,
      paths: stats.paths,
      linesAdded: stats.lines_added,
      linesRemoved: stats.lines_removed,
      implicit: g.sessionId ? undefined : { authorId: pusher?.id ?? null, origin: "human" },
    });
  }
  await recordLandings(db, projectId, recorded.position, pending);
  return pending.length;
}

/** Reconciles every project at start-up, before the forge serves requests. */
export async function recoverAllTrunks(
  db: Db,
  repoDir: (id: string) => string,
  exists: (id: string) => boolean,
) {
  const projects = await db.selectFrom("projects").select("id").execute();
  let recovered = 0;
  for (const p of projects) {
    if (!exists(p.id)) continue;
    const has = await git(["show-ref", "--verify", "--quiet", TRUNK], { cwd: repoDir(p.id) }).then(
      () => true,
      () => false,
    );
    if (has) recovered += await reconcileTrunk(db, repoDir(p.id), p.id);
  }
  return recovered;
}
