// Web side of following: the Follow/Unfollow form action and the button shown on profiles.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { CsrfField } from "../web/layout.tsx";
import { formFields } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { setFollow } from "./follows-service.ts";

export const followsPages = new Hono<AppEnv>();

followsPages.post("/users/:handle/follow", requireSignedIn, async (c) => {
  const values = await formFields(c);
  const account = await setFollow(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("handle"),
    values.follow !== "0",
  );
  return c.redirect(`/${account.handle}`, 303);
});

export interface FollowState {
  followers: number;
  following: number;
  /** null: the viewer is signed out or looking at themself (no button). */
  viewerFollows: boolean | null;
}

export function FollowBar({ handle, state, csrf }: { handle: string; state: FollowState; csrf: string }) {
  return (
    <div class="follow-bar">
      <span class="hint">
        {state.followers} follower{state.followers === 1 ? "" : "s"} · {state.following} following
      </span>
      {state.viewerFollows === null ? null : (
        <form method="post" action={`/users/${encodeURIComponent(handle)}/follow`} class="inline">
          <CsrfField token={csrf} />
          <input type="hidden" name="follow" value={state.viewerFollows ? "0" : "1"} />
          <button type="submit" class={state.viewerFollows ? "secondary small" : "small"}>
            {state.viewerFollows ? "Unfollow" : "Follow"}
          </button>
        </form>
      )}
    </div>
  );
}
