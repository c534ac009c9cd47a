// Organizations: accounts that own projects and have members with roles (owner, member).
// They share the handle namespace with users.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { lockSignups } from "../accounts/accounts-service.ts";
import { isPendingSignup, requireHandleFree } from "../accounts/handle-reservations.ts";
import { accountHandle } from "../accounts/handles.ts";
import { isAdmin, type Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { conflict, forbidden, invalid, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { dropForksOfFormerMember, removeDroppedForks } from "../social/forks-isolation.ts";
import { recordOrgHookEvent } from "../webhooks/org-events.ts";

export const createOrgSchema = z.object({
  handle: accountHandle,
  name: z.string().trim().max(100, "Name must be at most 100 characters").optional(),
  description: z.string().max(500, "Description must be at most 500 characters").optional(),
});

export const memberSchema = z.object({
  user: z.string().min(1, "user is required").max(254),
  role: z.enum(["owner", "member"]).default("member"),
});

export type OrgRole = "owner" | "member";

export function orgJson(o: Account, membersCount?: number) {
  return {
    id: o.id,
    handle: o.handle,
    kind: "organization" as const,
    name: o.display_name || o.handle,
    description: o.bio,
    created_at: o.created_at.toISOString(),
    ...(membersCount !== undefined ? { members_count: membersCount } : {}),
  };
}

export async function getOrg(db: Db, handle: string): Promise<Account> {
  const org = await db
    .selectFrom("accounts")
    .selectAll()
    .where("kind", "=", "org")
    .where(sql`lower(handle)`, "=", handle.toLowerCase())
    .executeTakeFirst();
  if (!org) throw notFound(`No organization named ${handle}`);
  return org;
}

export async function orgRole(db: Db, orgId: string, userId: string | undefined): Promise<OrgRole | null> {
  if (!userId) return null;
  const row = await db
    .selectFrom("org_members")
    .select("role")
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

export async function requireOrgOwner(db: Db, viewer: Viewer, org: Account) {
  if (!viewer.user) throw unauthorized();
  if (isAdmin(viewer)) return;
  if ((await orgRole(db, org.id, viewer.user.id)) !== "owner") {
    throw forbidden("Only owners of this organization can do that");
  }
}

export async function createOrg(db: Db, viewer: Viewer, input: unknown): Promise<Account> {
  if (!viewer.user) throw unauthorized();
  const user = viewer.user;
  const data = requireValid(createOrgSchema, input);
  try {
    return await db.transaction().execute(async (trx) => {
      // Serialized with sign-ups: a handle an account or a sign-up's reservation holds is taken.
      await lockSignups(trx);
      await requireHandleFree(trx, data.handle);
      const org = await trx
        .insertInto("accounts")
        .values({
          id: ulid(),
          kind: "org",
          handle: data.handle,
          display_name: data.name ?? "",
          bio: data.description ?? "",
          email: null,
          password_hash: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("org_members")
        .values({ org_id: org.id, user_id: user.id, role: "owner" })
        .execute();
      await recordAudit(trx, viewer, {
        action: "org.create",
        targetType: "org",
        targetId: org.id,
        target: org.handle,
      });
      return org;
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw conflict("That handle is already taken");
    throw err;
  }
}

export async function listMembers(db: Db, orgId: string) {
  const rows = await db
    .selectFrom("org_members")
    .innerJoin("accounts", "accounts.id", "org_members.user_id")
    .select(["accounts.handle", "accounts.display_name", "org_members.role", "org_members.created_at"])
    .where("org_members.org_id", "=", orgId)
    .orderBy("accounts.handle")
    .execute();
  return rows.map((r) => ({
    handle: r.handle,
    name: r.display_name || r.handle,
    role: r.role,
    since: r.created_at.toISOString(),
  }));
}

export async function listOrgsOf(db: Db, userId: string) {
  return db
    .selectFrom("org_members")
    .innerJoin("accounts", "accounts.id", "org_members.org_id")
    .selectAll("accounts")
    .select("org_members.role")
    .where("org_members.user_id", "=", userId)
    .orderBy("accounts.handle")
    .execute();
}

/** Adds a member, or changes the role of an existing one. */
export async function putMember(db: Db, viewer: Viewer, org: Account, input: unknown) {
  const data = requireValid(memberSchema, input);
  await requireOrgOwner(db, viewer, org);
  const needle = data.user.toLowerCase();
  const user = await db
    .selectFrom("accounts")
    .selectAll()
    .where("kind", "=", "user")
    .where(sql`lower(handle)`, "=", needle)
    .executeTakeFirst();
  // A sign-up not verified yet is no one yet (accounts/handle-reservations.ts).
  if (!user || isPendingSignup(user))
    throw invalid(`No user named ${data.user}`, [{ field: "user", message: "no such user" }]);
  await db.transaction().execute(async (trx) => {
    if (data.role === "member") await ensureAnotherOwner(trx, org.id, user.id);
    await trx
      .insertInto("org_members")
      .values({ org_id: org.id, user_id: user.id, role: data.role })
      .onConflict((oc) => oc.columns(["org_id", "user_id"]).doUpdateSet({ role: data.role }))
      .execute();
    await recordAudit(trx, viewer, {
      action: "org.member.put",
      targetType: "org",
      targetId: org.id,
      target: org.handle,
      data: { user: user.handle, role: data.role },
    });
    await recordOrgHookEvent(trx, org, "member", {
      action: "put",
      user: user.handle,
      role: data.role,
      actor: viewer.user?.handle ?? null,
    });
  });
  return { handle: user.handle, name: user.display_name || user.handle, role: data.role };
}

/** Removes a member; their forks of the organization's private projects go with them (social/forks-isolation.ts). */
export async function removeMember(db: Db, repos: RepoStore, viewer: Viewer, org: Account, handle: string) {
  const self = viewer.user?.handle.toLowerCase() === handle.toLowerCase();
  if (!self) await requireOrgOwner(db, viewer, org);
  const dropped = await db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("org_members")
      .innerJoin("accounts", "accounts.id", "org_members.user_id")
      .select(["accounts.id", "accounts.handle"])
      .where("org_members.org_id", "=", org.id)
      .where(sql`lower(accounts.handle)`, "=", handle.toLowerCase())
      .executeTakeFirst();
    if (!user) throw notFound(`${handle} is not a member of ${org.handle}`);
    await ensureAnotherOwner(trx, org.id, user.id);
    await trx.deleteFrom("org_members").where("org_id", "=", org.id).where("user_id", "=", user.id).execute();
    await recordAudit(trx, viewer, {
      action: "org.member.remove",
      targetType: "org",
      targetId: org.id,
      target: org.handle,
      data: { user: user.handle },
    });
    await recordOrgHookEvent(trx, org, "member", {
      action: "remove",
      user: user.handle,
      actor: viewer.user?.handle ?? null,
    });
    return dropForksOfFormerMember(trx, viewer, org, user);
  });
  await removeDroppedForks(repos, dropped);
}

/** Refuses to demote or remove the last owner of an organization. */
async function ensureAnotherOwner(trx: Db, orgId: string, userId: string) {
  const owners = await trx
    .selectFrom("org_members")
    .select("user_id")
    .where("org_id", "=", orgId)
    .where("role", "=", "owner")
    .forUpdate()
    .execute();
  if (owners.length === 1 && owners[0].user_id === userId) {
    throw conflict("An organization needs at least one owner; add another owner first");
  }
}
