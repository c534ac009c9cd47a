// Pieces of the follower and following pages: the account's header with the two tabs, the
// Follow/Unfollow button (shared with the profile's follow bar), one row per account, the
// empty states and the Newer/Older pager.
import type { Account } from "../db/schema.ts";
import { avatarPath } from "../profiles/profile-json.ts";
import { CsrfField } from "../web/layout.tsx";
import type { Direction } from "./follows-service.ts";

export const listPath = (handle: string, direction: Direction) =>
  `/users/${encodeURIComponent(handle)}/${direction}`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Posts to /users/:handle/follow; `returnTo` brings the browser back to this page. In a list,
 * `named` adds the handle to the button's accessible name ("Follow ada").
 */
export function FollowButton(props: {
  handle: string;
  following: boolean;
  csrf: string;
  returnTo?: string;
  named?: boolean;
}) {
  return (
    <form method="post" action={`/users/${encodeURIComponent(props.handle)}/follow`} class="inline">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="follow" value={props.following ? "0" : "1"} />
      {props.returnTo ? <input type="hidden" name="return_to" value={props.returnTo} /> : null}
      <button type="submit" class={props.following ? "secondary small" : "small"}>
        {props.following ? "Unfollow" : "Follow"}
        {props.named ? <span class="visually-hidden"> {props.handle}</span> : null}
      </button>
    </form>
  );
}

/** "N followers · M following", each a link to its list. */
/** "N followers · M following" as links; organizations follow no one, so only their followers. */
export function FollowCounts({
  handle,
  org,
  followers,
  following,
}: {
  handle: string;
  org: boolean;
  followers: number;
  following: number;
}) {
  return (
    <span class="hint follow-counts">
      <a href={listPath(handle, "followers")}>{plural(followers, "follower")}</a>
      {org ? null : (
        <>
          {" · "}
          <a href={listPath(handle, "following")}>{following} following</a>
        </>
      )}
    </span>
  );
}

export function FollowsHeader(props: {
  account: Account;
  direction: Direction;
  counts: { followers: number; following: number };
}) {
  const { account: a, direction } = props;
  const name = a.display_name || a.handle;
  const profile = `/${a.handle}`;
  return (
    <>
      <header class="follows-head">
        <a href={profile}>
          <img class="avatar" src={avatarPath(a)} alt={`Avatar of ${name}`} width={48} height={48} />
        </a>
        <div>
          <h1>
            {direction === "followers" ? "Followers of " : "Followed by "}
            <a href={profile}>{name}</a>
          </h1>
          <p class="hint">
            @{a.handle}
            {a.kind === "org" ? " · organization" : ""} · <a href={profile}>Back to the profile</a>
          </p>
        </div>
      </header>
      <nav class="repo-tabs" aria-label={`Followers and following of ${a.handle}`}>
        {(a.kind === "org" ? (["followers"] as const) : (["followers", "following"] as const)).map((d) => (
          <a href={listPath(a.handle, d)} aria-current={d === direction ? "page" : undefined}>
            {d === "followers" ? "Followers" : "Following"} <span class="count">{props.counts[d]}</span>
          </a>
        ))}
      </nav>
    </>
  );
}

export interface FollowRow {
  account: Account;
  /** null: no button (signed out, or the viewer's own row). */
  viewerFollows: boolean | null;
}

export function FollowList(props: { rows: FollowRow[]; csrf: string; returnTo: string }) {
  return (
    <ul class="list follow-list">
      {props.rows.map(({ account: a, viewerFollows }) => (
        <li>
          <a href={`/${a.handle}`} class="follow-who">
            <img class="avatar" src={avatarPath(a)} alt="" width={40} height={40} loading="lazy" />
            <span class="names">
              <strong>{a.display_name || a.handle}</strong>
              {a.display_name && a.display_name !== a.handle ? <span class="hint"> @{a.handle}</span> : null}
              {a.kind === "org" ? (
                <>
                  {" "}
                  <span class="badge">organization</span>
                </>
              ) : null}
            </span>
          </a>
          {viewerFollows === null ? null : (
            <FollowButton
              handle={a.handle}
              following={viewerFollows}
              csrf={props.csrf}
              returnTo={props.returnTo}
              named
            />
          )}
          {a.bio ? <p class="follow-bio">{a.bio}</p> : null}
        </li>
      ))}
    </ul>
  );
}

/** What an empty list says: whose list it is decides the wording. */
export function EmptyFollows(props: { account: Account; direction: Direction; self: boolean; page: number }) {
  const { account: a, direction, self } = props;
  if (props.page > 1) {
    return (
      <div class="empty">
        <p>
          No more accounts. <a href={listPath(a.handle, direction)}>Back to the first page</a>.
        </p>
      </div>
    );
  }
  if (direction === "followers") {
    return (
      <div class="empty">
        <p>{self ? "No one follows you yet." : `No one follows @${a.handle} yet.`}</p>
        <p>
          Followers see {self ? "your" : "this account's"} landings, pushes, new projects and stars in their
          feed.
        </p>
      </div>
    );
  }
  if (a.kind === "org") {
    return (
      <div class="empty">
        <p>
          Organizations do not follow anyone. See{" "}
          <a href={listPath(a.handle, "followers")}>who follows @{a.handle}</a>.
        </p>
      </div>
    );
  }
  return (
    <div class="empty">
      {self ? (
        <p>
          You follow no one yet. Follow people and organizations from their profiles (find them with{" "}
          <a href="/search">search</a>) to see what they do in your feed.
        </p>
      ) : (
        <p>@{a.handle} follows no one yet.</p>
      )}
    </div>
  );
}

export function FollowsPager(props: { handle: string; direction: Direction; page: number; more: boolean }) {
  const base = listPath(props.handle, props.direction);
  return (
    <nav class="pager" aria-label="Pages of accounts">
      {props.page > 1 ? (
        <a href={props.page === 2 ? base : `${base}?page=${props.page - 1}`} rel="prev">
          ← Newer
        </a>
      ) : (
        <span />
      )}
      {props.more ? (
        <a href={`${base}?page=${props.page + 1}`} rel="next">
          Older →
        </a>
      ) : null}
    </nav>
  );
}
