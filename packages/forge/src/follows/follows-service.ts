// Following: a signed-in user follows users and organizations (idempotent both ways; nobody
// follows themself). Lists of an account's followers and of whom a user follows, newest
// first; suspended accounts are left out of both lists.
import { sql } from "kysely";
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { forbidden, invalid, notFound, unauthorized } from "../errors/app-error.ts";

export interface FollowPage {
  limit?: number;
  offset?: number;
}

function requireFollower(viewer: Viewer): Account {
  if (!viewer.user) throw unauthorized();
  if (!hasScope(viewer, "project:write")) throw forbidden("This token lacks the project:write scope");
  return viewer.user;
}

async function followable(db: Db, handle: string): Promise<Account> {
  const account = await getAccountByHandle(db, handle);
  if (account.suspended_at) throw notFound("Account not found");
  return account;
}

/** Follows or unfollows the account named `handle`; returns it. */
export async function setFollow(db: Db, viewer: Viewer, handle: string, on: boolean): Promise<Account> {
  const target = await followable(db, handle);
  const user = requireFollower(viewer);
  if (target.id === user.id) throw invalid("You cannot follow yourself");
  if (on) {
    await db
      .insertInto("follows")
      .values({ follower_id: user.id, followee_id: target.id })
      .onConflict((oc) => oc.columns(["follower_id", "followee_id"]).doNothing())
      .execute();
  } else {
    await db
      .deleteFrom("follows")
      .where("follower_id", "=", user.id)
      .where("followee_id", "=", target.id)
      .execute();
  }
  return target;
}

export async function isFollowing(db: Db, followerId: string | undefined, followeeId: string) {
  if (!followerId) return false;
  const row = await db
    .selectFrom("follows")
    .select("followee_id")
    .where("follower_id", "=", followerId)
    .where("followee_id", "=", followeeId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function followCounts(db: Db, accountId: string) {
  const row = await db
    .selectFrom("accounts")
    .select([
      sql<number>`(SELECT count(*)::int FROM follows WHERE followee_id = ${accountId})`.as("followers"),
      sql<number>`(SELECT count(*)::int FROM follows WHERE follower_id = ${accountId})`.as("following"),
    ])
    .where("id", "=", accountId)
    .executeTakeFirst();
  return { followers: Number(row?.followers ?? 0), following: Number(row?.following ?? 0) };
}

type Direction = "followers" | "following";

/** The followers of an account, or whom a user follows, most recent first. */
export async function listFollows(
  db: Db,
  handle: string,
  direction: Direction,
  page: FollowPage = {},
): Promise<Array<Account & { followed_at: Date }>> {
  const account = await followable(db, handle);
  const [self, other] =
    direction === "followers"
      ? (["followee_id", "follower_id"] as const)
      : (["follower_id", "followee_id"] as const);
  return db
    .selectFrom("follows")
    .innerJoin("accounts", "accounts.id", `follows.${other}`)
    .selectAll("accounts")
    .select("follows.created_at as followed_at")
    .where(`follows.${self}`, "=", account.id)
    .where("accounts.suspended_at", "is", null)
    .orderBy("follows.created_at", "desc")
    .orderBy("accounts.id", "desc")
    .limit(Math.min(page.limit ?? 30, 100))
    .offset(page.offset ?? 0)
    .execute();
}
