// An account's activity, from what the forge already records: landings (sessions landed on
// trunk), pushes (plain pushes to trunk, which land as implicit sessions created in the same
// transaction as their landing), and projects created. For a user, what they did; for an
// organization, what happened in its projects. Only projects the viewer may read count.
// Each kind is one source; the contribution graph sums CONTRIBUTION_SOURCES and the feed
// merges FEED_SOURCES, so a new kind is one more entry in each list.
// The same sources make a signed-in user's home feed (home/): a `follower` scope selects what
// the accounts they follow did and what happened in the projects they starred.
import { type Expression, type SqlBool, sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { whereVisible } from "../projects/access.ts";

export type ActivityScope = {
  db: Db;
  viewer: Viewer;
} & (
  | { account: Pick<Account, "id" | "kind">; follower?: undefined }
  | { follower: string; account?: undefined }
);

export interface DayCount {
  day: string; // YYYY-MM-DD, UTC
  count: number;
}

export type FeedKind = "landing" | "push" | "project" | "star" | "remote";

export interface FeedItem {
  kind: FeedKind;
  at: Date;
  owner: string;
  project: string;
  /** Landing: the session's goal; push: its first commit's subject; project: its name. */
  title: string;
  position?: number;
  session?: string;
  /** Push: how many landings it made (consecutive commits outside sessions form one). */
  landings?: number;
  /** Who did it: the author, the starrer, or (for a new project) its owner. */
  actor: string;
  /** Remote (federation/): the note's link on its instance. */
  url?: string;
}

export type ContributionSource = (s: ActivityScope, since: Date) => Promise<DayCount[]>;
export type FeedSource = (s: ActivityScope, limit: number) => Promise<FeedItem[]>;

const day = (column: string) => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
const visibleIds = (s: ActivityScope) =>
  whereVisible(s.db.selectFrom("projects").select("projects.id"), s.viewer);
const isPush = sql<SqlBool>`s.created_at = l.created_at`;
const isLanding = sql<SqlBool>`s.created_at <> l.created_at`;

/** Accounts a follower follows; projects they starred. */
const followedIds = (s: ActivityScope, follower: string) =>
  s.db.selectFrom("follows").select("follows.followee_id").where("follows.follower_id", "=", follower);
const starredIds = (s: ActivityScope, follower: string) =>
  s.db.selectFrom("stars as mine").select("mine.project_id").where("mine.user_id", "=", follower);

function landingRows(s: ActivityScope, kind: Expression<SqlBool>) {
  return (
    s.db
      .selectFrom("landings as l")
      .innerJoin("sessions as s", "s.id", "l.session_id")
      // Counted where it happened: a fork's inherited landings point at its parent's sessions.
      .whereRef("s.project_id", "=", "l.project_id")
      .innerJoin("projects as p", "p.id", "l.project_id")
      .innerJoin("accounts as o", "o.id", "p.owner_id")
      .where("l.project_id", "in", visibleIds(s))
      .where((eb) => {
        if (s.follower === undefined) {
          return s.account.kind === "org"
            ? eb("p.owner_id", "=", s.account.id)
            : eb("s.author_id", "=", s.account.id);
        }
        return eb.or([
          eb("s.author_id", "in", followedIds(s, s.follower)),
          eb("p.owner_id", "in", followedIds(s, s.follower)),
          eb("l.project_id", "in", starredIds(s, s.follower)),
        ]);
      })
      .where(kind)
  );
}

function projectRows(s: ActivityScope) {
  return s.db
    .selectFrom("projects as p")
    .innerJoin("accounts as o", "o.id", "p.owner_id")
    .where("p.id", "in", visibleIds(s))
    .where((eb) => {
      const createdBy = (actor: string | ReturnType<typeof followedIds>) =>
        eb(
          "p.id",
          "in",
          eb
            .selectFrom("audit_log")
            .select("audit_log.target_id")
            .where("audit_log.actor_id", typeof actor === "string" ? "=" : "in", actor)
            .where("audit_log.action", "in", ["project.create", "project.import"]),
        );
      if (s.follower !== undefined) {
        const followed = followedIds(s, s.follower);
        return eb.or([eb("p.owner_id", "in", followed), createdBy(followed)]);
      }
      return s.account.kind === "org" ? eb("p.owner_id", "=", s.account.id) : createdBy(s.account.id);
    });
}

export const CONTRIBUTION_SOURCES: Record<string, ContributionSource> = {
  landings: (s, since) =>
    landingRows(s, isLanding)
      .where("l.created_at", ">=", since)
      .select([day("l.created_at").as("day"), sql<number>`count(*)::int`.as("count")])
      .groupBy(day("l.created_at"))
      .execute(),
  // One contribution per push, however many commits it carried.
  pushes: (s, since) =>
    landingRows(s, isPush)
      .where("l.created_at", ">=", since)
      .select([
        day("l.created_at").as("day"),
        sql<number>`count(DISTINCT (l.project_id, l.created_at))::int`.as("count"),
      ])
      .groupBy(day("l.created_at"))
      .execute(),
  projects: (s, since) =>
    projectRows(s)
      .where("p.created_at", ">=", since)
      .select([day("p.created_at").as("day"), sql<number>`count(*)::int`.as("count")])
      .groupBy(day("p.created_at"))
      .execute(),
  stars: (s, since) =>
    starRows(s)
      .where("st.created_at", ">=", since)
      .select([day("st.created_at").as("day"), sql<number>`count(*)::int`.as("count")])
      .groupBy(day("st.created_at"))
      .execute(),
};

/** Stars a user gave (or, for an organization, stars its projects received). */
function starRows(s: ActivityScope) {
  return s.db
    .selectFrom("stars as st")
    .innerJoin("projects as p", "p.id", "st.project_id")
    .innerJoin("accounts as o", "o.id", "p.owner_id")
    .innerJoin("accounts as starrer", "starrer.id", "st.user_id")
    .where("p.id", "in", visibleIds(s))
    .where((eb) => {
      if (s.follower !== undefined) {
        return eb.or([
          eb("st.user_id", "in", followedIds(s, s.follower)),
          eb("p.owner_id", "in", followedIds(s, s.follower)),
          eb("st.project_id", "in", starredIds(s, s.follower)),
        ]);
      }
      return s.account.kind === "org"
        ? eb("p.owner_id", "=", s.account.id)
        : eb("st.user_id", "=", s.account.id);
    });
}

/** Contributions per UTC day since `since`, summed over every source. */
export async function contributions(s: ActivityScope, since: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const source of Object.values(CONTRIBUTION_SOURCES)) {
    for (const r of await source(s, since)) out.set(r.day, (out.get(r.day) ?? 0) + Number(r.count));
  }
  return out;
}

export const FEED_SOURCES: Record<string, FeedSource> = {
  landings: async (s, limit) => {
    const rows = await landingRows(s, isLanding)
      .select([
        "l.created_at as at",
        "l.position",
        "s.id as session",
        "s.goal",
        "s.author_handle as actor",
        "p.handle",
        "o.handle as owner",
      ])
      .orderBy("l.created_at", "desc")
      .orderBy("l.position", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: "landing" as const,
      at: new Date(r.at),
      owner: r.owner,
      project: r.handle,
      title: r.goal,
      position: r.position,
      session: r.session,
      actor: r.actor,
    }));
  },
  pushes: async (s, limit) => {
    const rows = await landingRows(s, isPush)
      .select([
        "l.created_at as at",
        "p.handle",
        "o.handle as owner",
        sql<number>`max(l.position)`.as("position"),
        sql<number>`count(*)::int`.as("landings"),
        sql<string>`(array_agg(s.goal ORDER BY l.position DESC))[1]`.as("goal"),
        sql<string>`(array_agg(s.author_handle ORDER BY l.position DESC))[1]`.as("actor"),
      ])
      .groupBy(["l.project_id", "l.created_at", "p.handle", "o.handle"])
      .orderBy("l.created_at", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: "push" as const,
      at: new Date(r.at),
      owner: r.owner,
      project: r.handle,
      title: r.goal,
      position: Number(r.position),
      landings: Number(r.landings),
      actor: r.actor,
    }));
  },
  projects: async (s, limit) => {
    const rows = await projectRows(s)
      .select(["p.created_at as at", "p.handle", "p.name", "o.handle as owner"])
      .orderBy("p.created_at", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: "project" as const,
      at: new Date(r.at),
      owner: r.owner,
      project: r.handle,
      title: r.name,
      actor: r.owner,
    }));
  },
  // What remote ActivityPub actors the user follows sent them (home feed only; federation/).
  remote: async (s, limit) => {
    if (s.follower === undefined) return [];
    const rows = await s.db
      .selectFrom("federation_inbox")
      .select(["created_at", "actor_uri", "content", "url"])
      .where("user_id", "=", s.follower)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => {
      const actor = new URL(r.actor_uri);
      const name = decodeURIComponent(actor.pathname.split("/").pop() ?? "");
      return {
        kind: "remote" as const,
        at: new Date(r.created_at),
        owner: actor.host,
        project: name,
        title: r.content,
        actor: `${name}@${actor.host}`,
        url: r.url ?? r.actor_uri,
      };
    });
  },
  stars: async (s, limit) => {
    const rows = await starRows(s)
      .select(["st.created_at as at", "p.handle", "p.name", "o.handle as owner", "starrer.handle as actor"])
      .orderBy("st.created_at", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: "star" as const,
      at: new Date(r.at),
      owner: r.owner,
      project: r.handle,
      title: r.name,
      actor: r.actor,
    }));
  },
};

export const FEED_PAGE_SIZE = 20;
export const FEED_MAX_PAGE = 50;

/** One page (0-based) of the feed, newest first, and whether older items exist. */
export async function feedPage(
  s: ActivityScope,
  page: number,
): Promise<{ items: FeedItem[]; older: boolean }> {
  const p = Math.max(0, Math.min(FEED_MAX_PAGE, Math.floor(page)));
  const need = (p + 1) * FEED_PAGE_SIZE + 1;
  const all: FeedItem[] = [];
  for (const source of Object.values(FEED_SOURCES)) all.push(...(await source(s, need)));
  all.sort((a, b) => b.at.getTime() - a.at.getTime() || (b.position ?? 0) - (a.position ?? 0));
  const items = all.slice(p * FEED_PAGE_SIZE, (p + 1) * FEED_PAGE_SIZE);
  return { items, older: all.length > (p + 1) * FEED_PAGE_SIZE && p < FEED_MAX_PAGE };
}
