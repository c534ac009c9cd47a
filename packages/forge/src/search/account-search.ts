// User and organization search: handle and display name, matched as text (exact handle
// first, then prefixes, then anywhere) or by trigram similarity for misspellings. Email
// addresses are never searched. Accounts are public, so everyone sees the same results.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { DEFAULT_LIMIT, decodeCursor, likePattern, nextCursor } from "./search-query.ts";

export interface AccountSearch {
  q: string;
  kind: "user" | "org";
  cursor?: string;
  limit?: number;
}

export interface AccountResults {
  items: Account[];
  next_cursor: string | null;
}

const ACCOUNT_SIMILARITY = 0.3;

export async function searchAccounts(db: Db, search: AccountSearch): Promise<AccountResults> {
  const limit = search.limit ?? DEFAULT_LIMIT;
  const cursor = decodeCursor(search.cursor);
  const lower = search.q.toLowerCase();
  const prefix = `${likePattern(search.q).slice(1)}`; // "text%"
  const anywhere = likePattern(search.q);
  const similarity = sql<number>`greatest(search_similarity(lower(handle), ${lower}),
    search_similarity(lower(display_name), ${lower}))`;
  const score = sql<number>`(CASE
      WHEN lower(handle) = ${lower} THEN 4
      WHEN lower(handle) LIKE ${prefix} OR lower(display_name) LIKE ${prefix} THEN 3
      WHEN lower(handle) LIKE ${anywhere} OR lower(display_name) LIKE ${anywhere} THEN 2
      ELSE 0 END + ${similarity})`;
  const rows = await db
    .selectFrom("accounts")
    .selectAll()
    .where("kind", "=", search.kind)
    .where("suspended_at", "is", null)
    // Sign-ups not verified yet are hidden (accounts/handle-reservations.ts).
    .where((eb) => eb.or([eb("signup_pending", "=", false), eb("email_verified_at", "is not", null)]))
    .where((eb) =>
      eb.or([
        eb(sql`lower(handle)`, "like", anywhere),
        eb(sql`lower(display_name)`, "like", anywhere),
        eb(similarity, ">=", ACCOUNT_SIMILARITY),
      ]),
    )
    .orderBy(score, "desc")
    .orderBy(sql`lower(handle)`)
    .limit(limit + 1)
    .offset(cursor.offset)
    .execute();
  return { items: rows.slice(0, limit), next_cursor: nextCursor(cursor, rows.length, limit) };
}

/** How many members each organization has (for the organizations tab and API). */
export async function memberCounts(db: Db, orgIds: string[]): Promise<Map<string, number>> {
  if (orgIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("org_members")
    .select(["org_id", sql<number>`count(*)::int`.as("n")])
    .where("org_id", "in", orgIds)
    .groupBy("org_id")
    .execute();
  return new Map(rows.map((r) => [r.org_id, Number(r.n)]));
}
