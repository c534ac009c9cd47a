// What the profile page adds to an account's page: avatar, bio and links in the header;
// organizations (for users), the contribution graph and the activity feed below the projects.
import { sql } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { FollowBar, type FollowState } from "../follows/follows-pages.tsx";
import { followCounts, isFollowing } from "../follows/follows-service.ts";
import { listOrgsOf } from "../orgs/orgs-service.ts";
import { contributions, type FeedItem, feedPage } from "./activity.ts";
import { ProfileLinksRow } from "./icons.tsx";
import { readLinks } from "./links.ts";
import { avatarPath } from "./profile-service.ts";
import {
  ActivityFeed,
  Avatar,
  ContributionGraph,
  graphStart,
  OrganizationsSection,
  type OrgCard,
} from "./profile-views.tsx";

export interface ProfileExtras {
  orgs: OrgCard[] | null;
  counts: Map<string, number>;
  today: Date;
  feed: { items: FeedItem[]; older: boolean; page: number };
  follow: FollowState;
}

export async function loadProfileExtras(
  db: Db,
  viewer: Viewer,
  account: Account,
  pageParam: string | undefined,
): Promise<ProfileExtras> {
  const today = new Date();
  const page = Math.max(0, Math.min(50, Number.parseInt(pageParam ?? "0", 10) || 0));
  const scope = { db, viewer, account };
  const counts = await contributions(scope, graphStart(today));
  const feed = await feedPage(scope, page);
  const self = viewer.user?.id === account.id;
  const follow: FollowState = {
    ...(await followCounts(db, account.id)),
    viewerFollows: viewer.user && !self ? await isFollowing(db, viewer.user.id, account.id) : null,
  };
  return {
    follow,
    orgs: account.kind === "user" ? await orgCards(db, account.id) : null,
    counts,
    today,
    feed: { ...feed, page },
  };
}

async function orgCards(db: Db, userId: string): Promise<OrgCard[]> {
  const orgs = await listOrgsOf(db, userId);
  if (orgs.length === 0) return [];
  const counts = await db
    .selectFrom("org_members")
    .select(["org_id", sql<number>`count(*)::int`.as("n")])
    .where(
      "org_id",
      "in",
      orgs.map((o) => o.id),
    )
    .groupBy("org_id")
    .execute();
  const byOrg = new Map(counts.map((r) => [r.org_id, Number(r.n)]));
  return orgs.map((o) => ({
    handle: o.handle,
    name: o.display_name || o.handle,
    avatarUrl: avatarPath(o),
    members: byOrg.get(o.id) ?? 0,
  }));
}

/** Avatar, name slot, bio and links; `children` is the page's own heading. */
export function ProfileHeader({
  account,
  canEdit,
  follow,
  children,
}: {
  account: Account;
  canEdit: boolean;
  /** Follower counts and the Follow/Unfollow button (with the page's CSRF token). */
  follow?: { state: FollowState; csrf: string };
  children?: any;
}) {
  const name = account.display_name || account.handle;
  const editUrl = account.kind === "org" ? `/orgs/${account.handle}/profile` : "/settings/profile";
  return (
    <header class="profile-header">
      <link rel="stylesheet" href="/assets/profile.css" />
      <Avatar url={avatarPath(account)} name={name} />
      <div class="profile-id">
        {children}
        {account.bio ? <p class="profile-bio">{account.bio}</p> : null}
        <ProfileLinksRow website={account.website} links={readLinks(account.links)} />
        {follow ? (
          <FollowBar
            handle={account.handle}
            org={account.kind === "org"}
            state={follow.state}
            csrf={follow.csrf}
          />
        ) : null}
        {canEdit ? (
          <p>
            <a href={editUrl}>Edit profile</a>
          </p>
        ) : null}
      </div>
    </header>
  );
}

export function ProfileSections({ account, extras }: { account: Account; extras: ProfileExtras }) {
  return (
    <>
      {extras.orgs ? <OrganizationsSection orgs={extras.orgs} /> : null}
      <ContributionGraph counts={extras.counts} today={extras.today} />
      <ActivityFeed
        items={extras.feed.items}
        page={extras.feed.page}
        older={extras.feed.older}
        base={`/${account.handle}`}
      />
    </>
  );
}
