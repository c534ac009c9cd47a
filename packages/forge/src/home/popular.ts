// Popular projects for the home page, among those the viewer may read: by stars, by recent
// activity (the latest landing, or the last change to the project), and trending (stars
// given plus landings made in the last 7 days; only projects with some). Offset pages.
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { whereVisible } from "../projects/access.ts";
import { type ProjectWithOwner, withOwner } from "../projects/projects-service.ts";

export const POPULAR_SORTS = ["trending", "stars", "active"] as const;
export type PopularSort = (typeof POPULAR_SORTS)[number];
export const POPULAR_PAGE_SIZE = 12;
export const POPULAR_MAX_PAGE = 100;
export const TRENDING_DAYS = 7;

export type PopularProject = ProjectWithOwner & {
  owner_avatar: string | null;
  last_activity: Date;
  trend: number;
};

export const parseSort = (v: string | undefined): PopularSort =>
  (POPULAR_SORTS as readonly string[]).includes(v ?? "") ? (v as PopularSort) : "trending";

export const parsePage = (v: string | undefined): number =>
  Math.max(1, Math.min(POPULAR_MAX_PAGE, Number.parseInt(v ?? "1", 10) || 1));

/** One page (1-based) of popular projects, and whether there is a next one. */
export async function popularProjects(
  db: Db,
  viewer: Viewer,
  sort: PopularSort,
  page: number,
  size = POPULAR_PAGE_SIZE,
  now = new Date(),
): Promise<{ projects: PopularProject[]; more: boolean }> {
  const since = new Date(now.getTime() - TRENDING_DAYS * 86_400_000);
  // The latest landing is the one with the highest position (the primary key's order).
  const lastActivity = sql<Date>`greatest(projects.updated_at, coalesce((SELECT la.created_at FROM landings la
    WHERE la.project_id = projects.id ORDER BY la.position DESC LIMIT 1), projects.updated_at))`;
  const trend = sql<number>`((SELECT count(*) FROM stars ts WHERE ts.project_id = projects.id AND ts.created_at >= ${since})
    + (SELECT count(*) FROM landings tl WHERE tl.project_id = projects.id AND tl.created_at >= ${since}))::int`;
  let qb = whereVisible(withOwner(db, viewer), viewer).select([
    sql<string | null>`accounts.avatar`.as("owner_avatar"),
    lastActivity.as("last_activity"),
    trend.as("trend"),
  ]);
  if (sort === "stars") qb = qb.orderBy("projects.stars_count", "desc").orderBy(lastActivity, "desc");
  else if (sort === "active") qb = qb.orderBy(lastActivity, "desc");
  else
    qb = qb
      // Only projects with stars or landings in the window (found through the time indexes).
      .where(
        sql<boolean>`projects.id IN (SELECT ws.project_id FROM stars ws WHERE ws.created_at >= ${since}
          UNION SELECT wl.project_id FROM landings wl WHERE wl.created_at >= ${since})`,
      )
      .orderBy(trend, "desc")
      .orderBy("projects.stars_count", "desc");
  const rows = await qb
    .orderBy("projects.id", "desc")
    .limit(size + 1)
    .offset((page - 1) * size)
    .execute();
  return {
    projects: rows.slice(0, size).map((r) => ({
      ...r,
      last_activity: new Date(r.last_activity),
      trend: Number(r.trend),
    })),
    more: rows.length > size && page < POPULAR_MAX_PAGE,
  };
}

/** The signed-in user's projects and their organizations' (those they may read), latest first. */
export async function projectsOfUserAndOrgs(db: Db, viewer: Viewer, userId: string, limit = 30) {
  return whereVisible(withOwner(db, viewer), viewer)
    .where((eb) =>
      eb.or([
        eb("projects.owner_id", "=", userId),
        eb(
          "projects.owner_id",
          "in",
          eb.selectFrom("org_members").select("org_id").where("user_id", "=", userId),
        ),
      ]),
    )
    .orderBy("projects.updated_at", "desc")
    .orderBy("projects.id", "desc")
    .limit(limit)
    .execute();
}
