// The repository side of forks. A fork's repository borrows its parent's objects through
// objects/info/alternates (relative paths, so the data directory can move) instead of
// copying them; it starts with the parent's branches, tags and HEAD.
//
// Two rules keep borrowed objects alive:
// - A repository others borrow from never drops unreachable objects: it is marked with
//   gc.pruneExpire=never (honoured by a manual `git gc`), and upkeep (repos/maintain.ts,
//   through repackArgs) repacks it with --keep-unreachable. A branch deleted or rewritten
//   in the parent therefore cannot take away objects a fork still reaches.
// - Before a repository is removed, every fork that borrows from it is made self-contained
//   (`git repack -a -d` copies the borrowed objects in, then the alternates file goes).
// A fork's alternates list its parent's own alternates first, then the parent, so chains of
// forks never nest alternates deeper than git's limit.
// Borrowing storage is not borrowing access: a fork's config sets core.alternateRefsCommand
// to a command that prints nothing, so receive-pack never advertises the parent's ref tips
// as `.have` lines, and the pre-receive hook (repos/hooks/borrowed-objects.ts) refuses pushes
// that reach parent objects they did not bring (docs/adr/0021-fork-isolation.md).
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { configureBorrowers as configureIn, stopBorrowing } from "../repos/git-layer/fork-objects.ts";
import type { RepoStore } from "../repos/repo-store.ts";

export { populateFork, readAlternates, repackArgs } from "../repos/git-layer/fork-objects.ts";

/**
 * At start-up: every repository that borrows objects gets the borrower's settings (forks made
 * before forks carried them, or detached with their alternates left behind).
 */
export const configureBorrowers = (repos: RepoStore) => configureIn(repos.root);

/**
 * Locks the project's row (a fork being created waits, or has committed and is seen) and
 * returns every project forked from it, directly or through other forks.
 */
export async function lockForksOf(db: Db, projectId: string): Promise<string[]> {
  await sql`SELECT id FROM projects WHERE id = ${projectId} FOR UPDATE`.execute(db);
  const rows = await sql<{ id: string }>`
    WITH RECURSIVE d(id) AS (
      SELECT id FROM projects WHERE parent_id = ${projectId}
      UNION SELECT p.id FROM projects p JOIN d ON p.parent_id = d.id
    ) SELECT id FROM d`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Makes every listed fork that borrows from the project's repository self-contained. */
export async function detachForks(repos: RepoStore, projectId: string, forkIds: string[]) {
  const lender = repos.dir(projectId);
  for (const id of forkIds) if (repos.exists(id)) await stopBorrowing(repos.dir(id), lender);
}
