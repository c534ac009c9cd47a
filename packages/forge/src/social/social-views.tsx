// Star and fork UI pieces: the bar under a project's header ("forked from", the star
// button with its count, the fork link with its count) and the starred projects section
// of a profile.
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { ProjectList } from "../projects/project-views.tsx";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { CsrfField } from "../web/layout.tsx";
import { hasStarred, listStarred } from "./stars-service.ts";

export async function SocialBar({ c, p }: { c: Context<AppEnv>; p: ProjectWithOwner }) {
  const user = c.get("viewer").user;
  const base = `/${p.owner_handle}/${p.handle}`;
  const starred = await hasStarred(c.get("forge").db, user?.id, p.id);
  const watch = user
    ? await c
        .get("forge")
        .db.selectFrom("watches")
        .select("level")
        .where("user_id", "=", user.id)
        .where("project_id", "=", p.id)
        .executeTakeFirst()
    : undefined;
  const forks = p.forks_count ?? 0;
  return (
    <div class="social-bar">
      {p.parent_full_name ? (
        <p class="hint forked-from">
          forked from <a href={`/${p.parent_full_name}`}>{p.parent_full_name}</a>
        </p>
      ) : null}
      <p>
        {user ? (
          <form method="post" action={`${base}/star`} class="inline">
            <CsrfField token={c.get("csrfToken")} />
            <input type="hidden" name="star" value={starred ? "0" : "1"} />
            <button type="submit" class="secondary" aria-pressed={starred ? "true" : "false"}>
              {starred ? "★ Unstar" : "☆ Star"}
            </button>
          </form>
        ) : null}{" "}
        <a href={`${base}/stargazers`}>
          {p.stars_count} {p.stars_count === 1 ? "star" : "stars"}
        </a>{" "}
        ·{" "}
        {user ? (
          <a class="button small secondary" href={`${base}/fork`}>
            Fork
          </a>
        ) : null}{" "}
        <a href={`${base}/forks`}>
          {forks} {forks === 1 ? "fork" : "forks"}
        </a>
        {user ? (
          <>
            {" "}
            ·{" "}
            <form method="post" action={`${base}/watch`} class="inline watch-form">
              <CsrfField token={c.get("csrfToken")} />
              <label for="watch-level" class="visually-hidden">
                Notifications
              </label>
              <select id="watch-level" name="level">
                {(
                  [
                    ["", "Not watching"],
                    ["all", "Watching: all activity"],
                    ["sessions", "Watching: sessions"],
                    ["releases", "Watching: releases"],
                    ["ignore", "Ignoring"],
                  ] as const
                ).map(([v, label]) => (
                  <option value={v} selected={(watch?.level ?? "") === v}>
                    {label}
                  </option>
                ))}
              </select>{" "}
              <button type="submit" class="secondary small">
                Save
              </button>
            </form>
          </>
        ) : null}
      </p>
    </div>
  );
}

/** "Starred" on a user's profile: what they starred that the viewer may see. */
export async function StarredSection({ c, userId }: { c: Context<AppEnv>; userId: string }) {
  const projects = await listStarred(c.get("forge").db, c.get("viewer"), userId, { limit: 30 });
  return (
    <section aria-labelledby="starred-title">
      <h2 id="starred-title">Starred</h2>
      <ProjectList projects={projects} empty={<p>No starred projects yet.</p>} />
    </section>
  );
}
