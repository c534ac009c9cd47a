// Forks that lose sight of their parent are cut loose (docs/adr/0021-fork-isolation.md):
// - A project made private: every fork (at any depth) whose owner cannot read it — any
//   public fork, and private forks of other accounts — is made self-contained; the direct
//   ones leave its network (parent link cleared) and stay, as GitHub does. A private fork
//   owned by the parent's owner, or by a member of the organization that owns it, stays.
// - A member removed from an organization (or leaving it): their own forks of its private
//   projects, and forks of those in their account, are deleted, as GitHub does: they were
//   copies of code the member could read only as a member.
// The database changes and their audit entries are made in one transaction; the repositories
// are then changed on disk (made self-contained before anything they borrow from goes).
import { sql } from "kysely";
import type { Actor } from "../audit/audit.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { detachForks, lockForksOf } from "./forks-repo.ts";

interface Parent {
  id: string;
  owner_id: string;
  owner_handle: string;
  handle: string;
}

/**
 * After `project` was made private: forks whose owner can no longer read it stop borrowing
 * its objects, and its direct forks among them leave its network. Audited per fork.
 */
export async function cutLooseFromPrivate(
  forge: { db: Db; repos: RepoStore },
  actor: Actor,
  project: Parent,
) {
  const { db, repos } = forge;
  const forks = await db.transaction().execute(async (trx) => {
    const ids = await lockForksOf(trx, project.id);
    if (ids.length === 0) return [];
    const rows = await trx
      .selectFrom("projects")
      .innerJoin("accounts", "accounts.id", "projects.owner_id")
      .select([
        "projects.id",
        "projects.owner_id",
        "projects.visibility",
        "projects.parent_id",
        "projects.handle",
        "accounts.handle as owner_handle",
      ])
      .where("projects.id", "in", ids)
      .execute();
    const members = await trx
      .selectFrom("org_members")
      .select("user_id")
      .where("org_id", "=", project.owner_id)
      .execute();
    const readers = new Set([project.owner_id, ...members.map((m) => m.user_id)]);
    return rows.filter((r) => !(r.visibility === "private" && readers.has(r.owner_id)));
  });
  if (forks.length === 0) return;
  // Copies in what each fork reaches, then drops the alternates; throws (leaving the links,
  // so a later deletion of the parent still detaches them) if a fork cannot stand alone.
  await detachForks(
    repos,
    project.id,
    forks.map((f) => f.id),
  );
  const parent = `${project.owner_handle}/${project.handle}`;
  const late = await db.transaction().execute(async (trx) => {
    const late: string[] = [];
    for (const fork of forks) {
      const leaves = fork.parent_id === project.id;
      if (leaves)
        await trx
          .updateTable("projects")
          .set({ parent_id: null, updated_at: new Date() })
          .where("id", "=", fork.id)
          .where("parent_id", "=", project.id)
          .execute();
      // Forks of this fork made while it was being detached copied its alternates.
      late.push(...(await lockForksOf(trx, fork.id)));
      await recordAudit(trx, actor, {
        action: "project.fork.detach",
        targetType: "project",
        targetId: fork.id,
        target: `${fork.owner_handle}/${fork.handle}`,
        projectId: fork.id,
        data: { parent, reason: "parent made private", left_network: leaves },
      });
    }
    return late;
  });
  await detachForks(repos, project.id, late); // a no-op for those already self-contained
}

/** What is left to do on disk after dropForksOfFormerMember's transaction commits. */
export interface DroppedForks {
  removed: string[];
  /** Other accounts' forks of a removed fork, to make self-contained first. */
  orphans: Map<string, string[]>;
}

/**
 * In the transaction that removed `user` from `org`: deletes the user's forks of the
 * organization's private projects and, below them, the forks in the user's own account (each
 * audited as a deletion with its reason). Forks of those in other accounts (administrators')
 * stay and are made self-contained by removeDroppedForks.
 */
export async function dropForksOfFormerMember(
  trx: Db,
  actor: Actor,
  org: { id: string; handle: string },
  user: { id: string; handle: string },
): Promise<DroppedForks> {
  const rows = await sql<{ id: string; handle: string; root: string }>`
    WITH RECURSIVE d(id, root) AS (
      SELECT p.id, parent.handle FROM projects p JOIN projects parent ON parent.id = p.parent_id
      WHERE parent.owner_id = ${org.id} AND parent.visibility = 'private' AND p.owner_id = ${user.id}
      UNION SELECT p.id, d.root FROM projects p JOIN d ON p.parent_id = d.id WHERE p.owner_id = ${user.id}
    ) SELECT d.id, p.handle, d.root FROM d JOIN projects p ON p.id = d.id`.execute(trx);
  const dropped: DroppedForks = { removed: [], orphans: new Map() };
  if (rows.rows.length === 0) return dropped;
  const ids = new Set(rows.rows.map((r) => r.id));
  for (const row of rows.rows) {
    const below = (await lockForksOf(trx, row.id)).filter((id) => !ids.has(id));
    if (below.length) dropped.orphans.set(row.id, below);
  }
  await trx
    .deleteFrom("projects")
    .where("id", "in", [...ids])
    .execute();
  for (const row of rows.rows) {
    await recordAudit(trx, actor, {
      action: "project.delete",
      targetType: "project",
      targetId: row.id,
      target: `${user.handle}/${row.handle}`,
      projectId: row.id,
      data: { reason: `lost access to ${org.handle}/${row.root}` },
    });
  }
  dropped.removed = [...ids];
  return dropped;
}

/** Removes the repositories of forks dropForksOfFormerMember deleted. */
export async function removeDroppedForks(repos: RepoStore, dropped: DroppedForks) {
  for (const [id, forks] of dropped.orphans) await detachForks(repos, id, forks);
  for (const id of dropped.removed) await repos.remove(id);
}
