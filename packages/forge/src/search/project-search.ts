// Project search: ranked full-text search over each project's document (name and handle
// weigh most, then description, then README; see migration 0009), and, when the words match
// nothing, a typo-tolerant fallback on trigram similarity of names and descriptions. Only
// projects the viewer may read are ever considered (whereVisible). The query text reaches
// PostgreSQL only as a bound parameter of websearch_to_tsquery or similarity().
import { type RawBuilder, sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { whereVisible } from "../projects/access.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { type Cursor, DEFAULT_LIMIT, decodeCursor, nextCursor, type ProjectSort } from "./search-query.ts";

export interface ProjectSearch {
  q: string;
  sort?: ProjectSort;
  cursor?: string;
  limit?: number;
}

export interface ProjectResults {
  items: ProjectWithOwner[];
  next_cursor: string | null;
  /** "text" when the words matched; "similar" when these are near spellings of the query. */
  match: "text" | "similar";
}

/** Below this trigram score a project is not "similar" to the query. */
export const SIMILARITY_THRESHOLD = 0.3;

/** The last time anything happened in the project: an edit or its latest landing. */
export const activityExpression = () =>
  sql<Date>`greatest(projects.updated_at, (SELECT l.created_at FROM landings l
    WHERE l.project_id = projects.id ORDER BY l.position DESC LIMIT 1))`;

/** sort=stars: most-starred first (projects.stars_count, kept by a trigger on stars). */
const starsCount = sql<number>`projects.stars_count`;

const tsQuery = (q: string) => sql`websearch_to_tsquery('english', ${q})`;

/** Full-text rank: a name or handle hit always outranks description and README hits. */
function textRank(q: string): RawBuilder<number> {
  const lower = q.toLowerCase();
  return sql<number>`(ts_rank('{0.1, 0.2, 0.4, 1.0}', project_search.document, ${tsQuery(q)}, 32)
    + CASE WHEN ts_filter(project_search.document, '{a}') @@ ${tsQuery(q)} THEN 2 ELSE 0 END
    + CASE WHEN lower(projects.handle) = ${lower} OR lower(projects.name) = ${lower} THEN 4 ELSE 0 END)`;
}

/** Trigram score: whole-name similarity, or the query as a part of the name or description. */
function similarityScore(q: string): RawBuilder<number> {
  const lower = q.toLowerCase();
  return sql<number>`greatest(
    search_similarity(lower(projects.name), ${lower}),
    search_similarity(lower(projects.handle), ${lower}),
    search_word_similarity(${lower}, lower(projects.name)) * 0.9,
    search_word_similarity(${lower}, lower(projects.description)) * 0.5)`;
}

async function page(db: Db, viewer: Viewer, q: string, sort: ProjectSort, cursor: Cursor, limit: number) {
  const score = cursor.mode === "text" ? textRank(q) : similarityScore(q);
  let qb = whereVisible(
    db
      .selectFrom("projects")
      .innerJoin("accounts", "accounts.id", "projects.owner_id")
      .innerJoin("project_search", "project_search.project_id", "projects.id")
      .selectAll("projects")
      .select(["accounts.handle as owner_handle", "accounts.kind as owner_kind"]),
    viewer,
  );
  qb =
    cursor.mode === "text"
      ? qb.where(sql<boolean>`project_search.document @@ ${tsQuery(q)}`)
      : qb.where(sql<boolean>`${similarityScore(q)} >= ${SIMILARITY_THRESHOLD}`);
  if (sort === "recent") qb = qb.orderBy(activityExpression(), "desc");
  else if (sort === "stars") qb = qb.orderBy(starsCount, "desc").orderBy(score, "desc");
  else qb = qb.orderBy(score, "desc").orderBy(activityExpression(), "desc");
  return qb
    .orderBy("projects.id", "desc")
    .limit(limit + 1)
    .offset(cursor.offset)
    .execute() as Promise<ProjectWithOwner[]>;
}

/** One page of projects matching q that the viewer may read. */
export async function searchProjects(db: Db, viewer: Viewer, search: ProjectSearch): Promise<ProjectResults> {
  const sort = search.sort ?? "relevance";
  const limit = search.limit ?? DEFAULT_LIMIT;
  let cursor = decodeCursor(search.cursor);
  let rows = await page(db, viewer, search.q, sort, cursor, limit);
  if (rows.length === 0 && cursor.mode === "text" && cursor.offset === 0) {
    cursor = { offset: 0, mode: "similar" };
    rows = await page(db, viewer, search.q, sort, cursor, limit);
  }
  return {
    items: rows.slice(0, limit),
    next_cursor: nextCursor(cursor, rows.length, limit),
    match: cursor.mode,
  };
}
