// An organization's access tokens: its owners make, list and revoke them, each limited to
// chosen projects of the org. Like GitHub's fine-grained tokens owned by an organization, an
// org token acts as the owner who made it (the audit log and every record name that person),
// reaches only the org's projects named on it, and stops working as soon as its maker is no
// longer an owner of the org (tokens-service.ts authenticateToken; the cache hears of the
// membership change, migration 0041). Any owner may revoke any of the org's tokens.
import type { Viewer } from "../accounts/viewer.ts";
import type { Actor } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { forbidden, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { orgRole } from "../orgs/orgs-service.ts";
import { projectNames } from "./project-tokens.ts";
import { createTokenSchema, deleteToken, insertToken, tokenJson } from "./tokens-service.ts";

/** Only an owner of the org, acting as themself (administrators too must be owners). */
async function requireOwner(db: Db, viewer: Viewer, org: Account): Promise<Account> {
  const user = viewer.user;
  if (!user) throw unauthorized();
  if ((await orgRole(db, org.id, user.id)) !== "owner") {
    throw forbidden("Only owners of this organization manage its tokens");
  }
  return user;
}

export async function createOrgToken(db: Db, viewer: Viewer, org: Account, input: unknown, actor: Actor) {
  const user = await requireOwner(db, viewer, org);
  const data = requireValid(createTokenSchema, input);
  return db.transaction().execute((trx) => insertToken(trx, user, data, actor, org));
}

export async function listOrgTokens(db: Db, viewer: Viewer, org: Account) {
  await requireOwner(db, viewer, org);
  const rows = await db
    .selectFrom("api_tokens")
    .innerJoin("accounts", "accounts.id", "api_tokens.user_id")
    .selectAll("api_tokens")
    .select("accounts.handle as created_by")
    .where("api_tokens.org_id", "=", org.id)
    .orderBy("api_tokens.created_at", "desc")
    .execute();
  const names = await projectNames(
    db,
    rows.flatMap((r) => r.project_ids ?? []),
  );
  return rows.map(({ created_by, ...t }) => ({ ...tokenJson(t, names), org: org.handle, created_by }));
}

export async function revokeOrgToken(db: Db, viewer: Viewer, org: Account, id: string, actor: Actor) {
  await requireOwner(db, viewer, org);
  await deleteToken(db, id, { org: org.id, handle: org.handle }, actor);
}
