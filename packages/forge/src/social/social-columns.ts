// The fork facts every project row carries: the parent's "owner/handle" (only when the
// viewer may read the parent, so a fork never reveals a private parent) and the number of
// forks the viewer may see. Both are correlated subqueries over the outer `projects` row.
import { type RawBuilder, sql } from "kysely";
import { hasScope, isAdmin, type Viewer } from "../accounts/viewer.ts";

/** SQL true when the viewer may read the project aliased `t` (mirrors projects/access.ts). */
export function readableBy(viewer: Viewer, t: string): RawBuilder<boolean> {
  const limit = viewer.projects;
  if (limit) {
    // A project token sees only its projects (projects/access.ts).
    const ids = limit.ids.length > 0 ? limit.ids : [""];
    const inIds = sql<boolean>`${sql.ref(`${t}.id`)} IN (${sql.join(ids)})`;
    const owned = limit.org === null ? sql`true` : sql`${sql.ref(`${t}.owner_id`)} = ${limit.org}`;
    return sql<boolean>`(${inIds} AND ${owned} AND ${readableBy({ ...viewer, projects: undefined }, t)})`;
  }
  if (isAdmin(viewer)) return sql<boolean>`true`;
  const user = viewer.user;
  if (!user || !(hasScope(viewer, "project:read") || hasScope(viewer, "project:write")))
    return sql<boolean>`(${activeOwner(t)} AND ${sql.ref(`${t}.visibility`)} = 'public')`;
  return readableByAccount(sql`${user.id}`, t);
}

/** A suspended account's projects are hidden from everyone but administrators. */
const activeOwner = (t: string) =>
  sql<boolean>`${sql.ref(`${t}.owner_id`)} NOT IN (SELECT sa.id FROM accounts sa WHERE sa.suspended_at IS NOT NULL)`;

/**
 * SQL true when the account `accountId` (a value or a column) may read the project aliased `t`
 * acting with every scope: public, its own, or its organizations' (administrators aside).
 */
export function readableByAccount(accountId: RawBuilder<unknown>, t: string): RawBuilder<boolean> {
  const owner = sql.ref(`${t}.owner_id`);
  return sql<boolean>`(${activeOwner(t)} AND (${sql.ref(`${t}.visibility`)} = 'public' OR ${owner} = ${accountId}
    OR ${owner} IN (SELECT org_members.org_id FROM org_members WHERE org_members.user_id = ${accountId})))`;
}

/** Columns to add to a query over `projects`: parent_full_name and forks_count. */
export function forkColumns(viewer: Viewer) {
  return [
    sql<string | null>`(SELECT pa.handle || '/' || pp.handle FROM projects pp
      JOIN accounts pa ON pa.id = pp.owner_id
      WHERE pp.id = projects.parent_id AND ${readableBy(viewer, "pp")})`.as("parent_full_name"),
    sql<number>`(SELECT count(*)::int FROM projects fp
      WHERE fp.parent_id = projects.id AND ${readableBy(viewer, "fp")})`.as("forks_count"),
  ];
}
