// Web side of following: the Follow/Unfollow form action, the follow bar shown on profiles,
// and the pages listing an account's followers and whom it follows.
//
// The lists live at /users/{handle}/followers and /users/{handle}/following, not at
// /{handle}/followers: that path already belongs to the project pages (/{owner}/{project}),
// and nothing stops a project from being called "followers" or "following" (only "new" and
// "settings" are reserved project handles), so one of the two would hide the other. "users"
// is a reserved account handle, and /users/{handle}/… already holds the avatar and the
// follow action (for organizations too), as the API has /api/v1/users/{handle}/followers.
// The lists page like the API (30 accounts a page, most recent first; ?page=2 …). They are
// found exactly when the profile is: 404 for an unknown handle, but a suspended account's
// lists show as its profile does (the API's lists answer 404 for it); suspended accounts
// never appear in anyone's list or count.
import { type Context, Hono } from "hono";
import { getVisibleAccount } from "../accounts/accounts-service.ts";
import { safeNext } from "../accounts/auth-pages.tsx";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import {
  EmptyFollows,
  FollowButton,
  FollowCounts,
  FollowList,
  FollowsHeader,
  FollowsPager,
} from "./follow-list-views.tsx";
import { FOLLOWS_CSS } from "./follows-css.ts";
import { type Direction, followCounts, followedAmong, listFollowsOf, setFollow } from "./follows-service.ts";

export const followsPages = new Hono<AppEnv>();

/** Accounts a page, as the API's default; ?page= is read as 1 to MAX_PAGE. */
export const FOLLOWS_PAGE_SIZE = 30;
const MAX_PAGE = 1000;

followsPages.get("/assets/follows.css", (c) =>
  c.body(FOLLOWS_CSS, 200, {
    "Content-Type": "text/css; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);

/** A same-site path to go back to (the list the button was on), else the account's profile. */
function backTo(returnTo: string | undefined, handle: string): string {
  const safe = returnTo ? safeNext(returnTo) : "/";
  return safe === "/" ? `/${handle}` : safe;
}

followsPages.post("/users/:handle/follow", requireSignedIn, async (c) => {
  const values = await formFields(c);
  const account = await setFollow(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("handle"),
    values.follow !== "0",
  );
  return c.redirect(backTo(values.return_to, account.handle), 303);
});

async function listPage(c: Context<AppEnv>, direction: Direction) {
  const { db } = c.get("forge");
  const viewer = c.get("viewer");
  const account = await getVisibleAccount(db, viewer, c.req.param("handle")!);
  const page = Math.max(1, Math.min(Number.parseInt(c.req.query("page") ?? "1", 10) || 1, MAX_PAGE));
  const [found, counts] = await Promise.all([
    listFollowsOf(db, account, direction, {
      limit: FOLLOWS_PAGE_SIZE + 1,
      offset: (page - 1) * FOLLOWS_PAGE_SIZE,
    }),
    followCounts(db, account.id),
  ]);
  const shown = found.slice(0, FOLLOWS_PAGE_SIZE);
  const me = viewer.user?.id;
  const followed = await followedAmong(
    db,
    me,
    shown.map((a) => a.id),
  );
  const rows = shown.map((a) => ({
    account: a,
    viewerFollows: me === undefined || a.id === me ? null : followed.has(a.id),
  }));
  const url = new URL(c.req.url);
  const name = account.display_name || account.handle;
  const title = direction === "followers" ? `Followers of ${name}` : `Followed by ${name}`;
  return c.html(
    <Layout
      {...meta(
        c,
        title,
        direction === "followers" ? `Who follows @${account.handle}` : `Whom @${account.handle} follows`,
      )}
    >
      <link rel="stylesheet" href="/assets/profile.css" />
      <link rel="stylesheet" href="/assets/follows.css" />
      <FollowsHeader account={account} direction={direction} counts={counts} />
      {rows.length === 0 ? (
        <EmptyFollows account={account} direction={direction} self={me === account.id} page={page} />
      ) : (
        <FollowList rows={rows} csrf={c.get("csrfToken")} returnTo={url.pathname + url.search} />
      )}
      <FollowsPager
        handle={account.handle}
        direction={direction}
        page={page}
        more={found.length > FOLLOWS_PAGE_SIZE}
      />
    </Layout>,
  );
}

followsPages.get("/users/:handle/followers", (c) => listPage(c, "followers"));
followsPages.get("/users/:handle/following", (c) => listPage(c, "following"));

export interface FollowState {
  followers: number;
  following: number;
  /** null: the viewer is signed out or looking at themself (no button). */
  viewerFollows: boolean | null;
}

export function FollowBar(props: { handle: string; org: boolean; state: FollowState; csrf: string }) {
  const { handle, state, csrf } = props;
  return (
    <div class="follow-bar">
      <FollowCounts handle={handle} org={props.org} followers={state.followers} following={state.following} />
      {state.viewerFollows === null ? null : (
        <FollowButton handle={handle} following={state.viewerFollows} csrf={csrf} />
      )}
    </div>
  );
}
