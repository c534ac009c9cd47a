// The fork facts every project row carries: the parent's "owner/handle" (only when the
// viewer may read the parent, so a fork never reveals a private parent) and the number of
// forks the viewer may see. Both are correlated subqueries over the outer `projects` row.
import { type RawBuilder, sql } from "kysely";
import { hasScope, isAdmin, type Viewer } from "../accounts/viewer.ts";

/** SQL true when the viewer may read the project aliased `t` (mirrors projects/access.ts). */
export function readableBy(viewer: Viewer, t: string): RawBuilder<boolean> {
  if (isAdmin(viewer)) return sql<boolean>`true`;
  const visibility = sql.ref(`${t}.visibility`);
  const owner = sql.ref(`${t}.owner_id`);
  // A suspended account's projects are hidden from everyone but administrators.
  const active = sql<boolean>`${owner} NOT IN (SELECT sa.id FROM accounts sa WHERE sa.suspended_at IS NOT NULL)`;
  const user = viewer.user;
  if (!user || !(hasScope(viewer, "project:read") || hasScope(viewer, "project:write")))
    return sql<boolean>`(${active} AND ${visibility} = 'public')`;
  return sql<boolean>`(${active} AND (${visibility} = 'public' OR ${owner} = ${user.id}
    OR ${owner} IN (SELECT org_members.org_id FROM org_members WHERE org_members.user_id = ${user.id})))`;
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
