// What administrators do to accounts and projects: search them, suspend and unsuspend
// accounts, grant and revoke the administrator role (never the last one), transfer projects
// to another owner and delete them. Each change is audited in its own transaction.

import { sql } from "kysely";
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { conflict, forbidden, invalid, notFound } from "../errors/app-error.ts";
import { deleteProject, getProject, ownerHasProject } from "../projects/projects-service.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { forgetUserTokens } from "../tokens/token-cache.ts";

/** `%term%` for ILIKE, with the wildcard characters of the term matched literally. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export interface Page {
  q?: string;
  limit?: number;
  offset?: number;
}

export async function searchAccounts(db: Db, page: Page) {
  let qb = db.selectFrom("accounts").selectAll();
  if (page.q) {
    const like = likePattern(page.q);
    qb = qb.where((eb) =>
      eb.or([eb("handle", "ilike", like), eb("email", "ilike", like), eb("display_name", "ilike", like)]),
    );
  }
  return qb
    .orderBy(sql`lower(handle)`)
    .limit(Math.min(page.limit ?? 50, 100))
    .offset(page.offset ?? 0)
    .execute();
}

export function adminAccountJson(a: Account) {
  return {
    id: a.id,
    handle: a.handle,
    kind: a.kind === "org" ? ("organization" as const) : ("user" as const),
    name: a.display_name || a.handle,
    email: a.email,
    is_admin: a.is_admin,
    suspended: a.suspended_at !== null,
    suspended_at: a.suspended_at?.toISOString() ?? null,
    suspended_reason: a.suspended_at ? a.suspended_reason : null,
    created_at: a.created_at.toISOString(),
  };
}

export async function searchProjects(db: Db, page: Page) {
  let qb = db
    .selectFrom("projects")
    .innerJoin("accounts", "accounts.id", "projects.owner_id")
    .selectAll("projects")
    .select([
      "accounts.handle as owner_handle",
      "accounts.kind as owner_kind",
      "accounts.suspended_at as owner_suspended_at",
    ]);
  if (page.q) {
    const like = likePattern(page.q);
    qb = qb.where((eb) =>
      eb.or([
        eb("projects.handle", "ilike", like),
        eb("projects.name", "ilike", like),
        eb("accounts.handle", "ilike", like),
        eb(sql<string>`accounts.handle || '/' || projects.handle`, "ilike", like),
      ]),
    );
  }
  return qb
    .orderBy(sql`lower(accounts.handle)`)
    .orderBy(sql`lower(projects.handle)`)
    .limit(Math.min(page.limit ?? 50, 100))
    .offset(page.offset ?? 0)
    .execute();
}

export function adminProjectJson(p: Awaited<ReturnType<typeof searchProjects>>[number]) {
  return {
    id: p.id,
    owner: p.owner_handle,
    handle: p.handle,
    full_name: `${p.owner_handle}/${p.handle}`,
    name: p.name,
    visibility: p.visibility,
    hidden_by_suspension: p.owner_suspended_at !== null,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  };
}

export async function suspendAccount(db: Db, viewer: Viewer, handle: string, reason = "") {
  const account = await getAccountByHandle(db, handle);
  if (account.id === viewer.user?.id) throw forbidden("You cannot suspend your own account");
  if (reason.length > 500) throw invalid("The reason must be at most 500 characters");
  const updated = await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("accounts")
      .set({
        suspended_at: account.suspended_at ?? new Date(),
        suspended_reason: reason,
        updated_at: new Date(),
      })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Its web sessions end now; tokens and passwords are refused at authentication.
    const sessions = await trx
      .deleteFrom("web_sessions")
      .where("user_id", "=", account.id)
      .executeTakeFirst();
    await recordAudit(trx, viewer, {
      action: "account.suspend",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
      data: { reason, sessions_ended: Number(sessions.numDeletedRows) },
    });
    return updated;
  });
  forgetUserTokens(account.id); // cached token authentications (tokens/token-cache.ts)
  return updated;
}

export async function unsuspendAccount(db: Db, viewer: Viewer, handle: string) {
  const account = await getAccountByHandle(db, handle);
  const updated = await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("accounts")
      .set({ suspended_at: null, suspended_reason: "", updated_at: new Date() })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: "account.unsuspend",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
      data: { was_suspended: account.suspended_at !== null },
    });
    return updated;
  });
  forgetUserTokens(account.id); // cached token authentications (tokens/token-cache.ts)
  return updated;
}

export async function setAdministrator(db: Db, viewer: Viewer, handle: string, admin: boolean) {
  const account = await getAccountByHandle(db, handle);
  if (account.kind !== "user") throw invalid("Only user accounts can be administrators");
  const updated = await db.transaction().execute(async (trx) => {
    // Serialized, so two revocations at once cannot remove the last two administrators.
    await sql`SELECT pg_advisory_xact_lock(7245014)`.execute(trx);
    if (!admin && account.is_admin) {
      const others = await trx
        .selectFrom("accounts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("is_admin", "=", true)
        .where("suspended_at", "is", null)
        .where("id", "!=", account.id)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) throw conflict("The last administrator cannot be revoked");
    }
    const updated = await trx
      .updateTable("accounts")
      .set({ is_admin: admin, updated_at: new Date() })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: admin ? "account.admin.grant" : "account.admin.revoke",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
    });
    return updated;
  });
  forgetUserTokens(account.id); // cached token authentications (tokens/token-cache.ts)
  return updated;
}

/** Moves a project to another user or organization; the repository stays where it is (keyed by id). */
export async function transferProject(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  newOwner: string,
) {
  const { project } = await getProject(db, viewer, owner, handle, "admin");
  const target = await db
    .selectFrom("accounts")
    .selectAll()
    .where(sql`lower(handle)`, "=", newOwner.toLowerCase())
    .executeTakeFirst();
  if (!target) throw notFound(`No user or organization named ${newOwner}`);
  if (target.id === project.owner_id)
    throw conflict(`${project.owner_handle}/${project.handle} already belongs to ${target.handle}`);
  const collision = () => conflict(`${target.handle} already has a project named ${project.handle}`);
  try {
    await db.transaction().execute(async (trx) => {
      if (await ownerHasProject(trx, target.id, project.handle)) throw collision();
      await trx
        .updateTable("projects")
        .set({ owner_id: target.id, updated_at: new Date() })
        .where("id", "=", project.id)
        .execute();
      await recordAudit(trx, viewer, {
        action: "project.transfer",
        targetType: "project",
        targetId: project.id,
        target: `${target.handle}/${project.handle}`,
        projectId: project.id,
        data: { from: project.owner_handle, to: target.handle },
      });
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw collision();
    throw err;
  }
  return (await getProject(db, viewer, target.handle, project.handle, "admin")).project;
}

export const adminDeleteProject = (db: Db, repos: RepoStore, viewer: Viewer, owner: string, handle: string) =>
  deleteProject(db, repos, viewer, owner, handle);
