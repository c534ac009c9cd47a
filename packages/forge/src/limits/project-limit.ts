// The number of projects an account may own: its own limit when an administrator set one,
// otherwise the instance default (MICELIO_PROJECT_LIMIT). Checked inside the transaction
// that creates a project (new, imported or forked), serialized per owner so two creations
// at once cannot both take the last place. An organization's projects count against the
// organization's own limit, never against its members'.
import { sql } from "kysely";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { AppError, invalid } from "../errors/app-error.ts";

export const PROJECT_LIMIT_PROBLEM = "https://micelio.dev/problems/project-limit";

export const effectiveLimit = (account: Pick<Account, "project_limit">, defaultLimit: number) =>
  account.project_limit ?? defaultLimit;

export async function countOwnedProjects(db: Db, ownerId: string): Promise<number> {
  const row = await db
    .selectFrom("projects")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("owner_id", "=", ownerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Throws a project-limit problem when `owner` already has as many projects as allowed. */
export async function enforceProjectLimit(
  trx: Db,
  owner: Pick<Account, "id" | "kind" | "handle">,
  viewerId: string,
  defaultLimit: number,
): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(7245018, hashtext(${owner.id}))`.execute(trx);
  const row = await trx
    .selectFrom("accounts")
    .select("project_limit")
    .where("id", "=", owner.id)
    .executeTakeFirstOrThrow();
  const limit = effectiveLimit(row, defaultLimit);
  const count = await countOwnedProjects(trx, owner.id);
  if (count < limit) return;
  const detail =
    owner.id === viewerId
      ? `You have reached your limit of ${limit} projects`
      : `${owner.handle} has reached its limit of ${limit} projects`;
  throw new AppError("forbidden", `${detail}. Ask an administrator of this instance to raise it.`, {
    type: PROJECT_LIMIT_PROBLEM,
    title: "Project limit reached",
    limit,
    projects: count,
    owner: owner.handle,
  });
}

/** Sets (or with null, resets to the default) an account's project limit; audited. */
export async function setProjectLimit(db: Db, actor: Actor, account: Account, limit: number | null) {
  if (limit !== null && (!Number.isInteger(limit) || limit < 0 || limit > 1_000_000))
    throw invalid("The project limit must be a whole number from 0 to 1000000", [
      { field: "project_limit", message: "0 to 1000000" },
    ]);
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("accounts")
      .set({ project_limit: limit, updated_at: new Date() })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, {
      action: "account.project_limit",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
      data: { from: account.project_limit, to: limit },
    });
    return updated;
  });
}
