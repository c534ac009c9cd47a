// Following: a signed-in user follows users and organizations (idempotent both ways; nobody
// follows themself). Lists of an account's followers and of whom a user follows, newest
// first; suspended accounts are left out of both lists and of the counts.
import { sql } from "kysely";
import { getAccountByHandle, getVisibleAccount } from "../accounts/accounts-service.ts";
import { isPendingSignup } from "../accounts/handle-reservations.ts";
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
  if (!hasScope(viewer, "user")) throw forbidden("This token lacks the user scope");
  return viewer.user;
}

/** The account named `handle`, unless it does not exist or is suspended (404 either way). */
async function followable(db: Db, handle: string): Promise<Account> {
  const account = await getAccountByHandle(db, handle);
  // A sign-up not verified yet answers exactly as an unknown handle does.
  if (isPendingSignup(account)) throw notFound(`No user or organization named ${handle}`);
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

/** Of the accounts `ids`, those the user follows. */
export async function followedAmong(db: Db, followerId: string | undefined, ids: string[]) {
  if (!followerId || ids.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom("follows")
    .select("followee_id")
    .where("follower_id", "=", followerId)
    .where("followee_id", "in", ids)
    .execute();
  return new Set(rows.map((r) => r.followee_id));
}

/** How many follow the account and how many it follows, as the lists count them. */
export async function followCounts(db: Db, accountId: string) {
  const count = (self: string, other: string) =>
    sql<number>`(SELECT count(*)::int FROM follows f JOIN accounts a ON a.id = ${sql.ref(`f.${other}`)}
      WHERE ${sql.ref(`f.${self}`)} = ${accountId} AND a.suspended_at IS NULL)`;
  const row = await db
    .selectFrom("accounts")
    .select([
      count("followee_id", "follower_id").as("followers"),
      count("follower_id", "followee_id").as("following"),
    ])
    .where("id", "=", accountId)
    .executeTakeFirst();
  return { followers: Number(row?.followers ?? 0), following: Number(row?.following ?? 0) };
}

export type Direction = "followers" | "following";

/** The followers of an account, or whom a user follows, most recent first. */
export async function listFollows(
  db: Db,
  viewer: Viewer,
  handle: string,
  direction: Direction,
  page: FollowPage = {},
) {
  return listFollowsOf(db, await getVisibleAccount(db, viewer, handle), direction, page);
}

/** listFollows for an account already found (the web pages find it as the profile does). */
export async function listFollowsOf(
  db: Db,
  account: Pick<Account, "id">,
  direction: Direction,
  page: FollowPage = {},
): Promise<Array<Account & { followed_at: Date }>> {
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
