// Home page pieces: the tabs of popular projects, their cards (owner's avatar or identicon,
// description, owner, stars), the pager, and the signed-in user's empty feed.
import { avatarPath } from "../profiles/profile-json.ts";
import type { PopularProject, PopularSort } from "./popular.ts";

export const SORT_LABELS: Record<PopularSort, string> = {
  trending: "Trending this week",
  stars: "Most starred",
  active: "Recently active",
};

const href = (base: string, sort: PopularSort, page = 1) =>
  `${base}?sort=${sort}${page > 1 ? `&page=${page}` : ""}#popular`;

export function ProjectCard({ p }: { p: PopularProject }) {
  const full = `${p.owner_handle}/${p.handle}`;
  return (
    <li class="project-card">
      <img
        class="thumb"
        src={avatarPath({ handle: p.owner_handle, avatar: p.owner_avatar })}
        alt=""
        width={40}
        height={40}
        loading="lazy"
      />
      <div class="body">
        <h3>
          <a href={`/${full}`}>{full}</a>{" "}
          {p.visibility === "private" ? <span class="badge">private</span> : null}
        </h3>
        {p.description ? <p>{p.description}</p> : null}
        <p class="stats">
          by <a href={`/${p.owner_handle}`}>{p.owner_handle}</a> · ★ {p.stars_count}
          {p.trend > 0 ? <> · {p.trend} this week</> : null} · active{" "}
          <time datetime={p.last_activity.toISOString()}>{p.last_activity.toISOString().slice(0, 10)}</time>
        </p>
      </div>
    </li>
  );
}

export function PopularSection(props: {
  sort: PopularSort;
  page: number;
  projects: PopularProject[];
  more: boolean;
  /** The path the tabs and pages link to ("/" or "/explore"). */
  base: string;
  heading?: "h1" | "h2";
}) {
  const { sort, page, base } = props;
  const Heading = props.heading ?? "h2";
  return (
    <section class="popular" id="popular" aria-labelledby="popular-title">
      <Heading id="popular-title">Popular projects</Heading>
      <nav class="repo-tabs" aria-label="Sort popular projects">
        {(Object.keys(SORT_LABELS) as PopularSort[]).map((s) => (
          <a href={href(base, s)} aria-current={s === sort ? "page" : undefined}>
            {SORT_LABELS[s]}
          </a>
        ))}
      </nav>
      {props.projects.length === 0 ? (
        <div class="empty">
          {page > 1 ? (
            <p>
              No more projects. <a href={href(base, sort)}>Back to the first page</a>.
            </p>
          ) : sort === "trending" ? (
            <p>
              Nothing new was starred or landed this week. See the{" "}
              <a href={href(base, "stars")}>most starred projects</a> or the{" "}
              <a href={href(base, "active")}>recently active ones</a>.
            </p>
          ) : (
            <p>No public projects yet. Be the first to create one.</p>
          )}
        </div>
      ) : (
        <ul class="popular-grid">
          {props.projects.map((p) => (
            <ProjectCard p={p} />
          ))}
        </ul>
      )}
      <nav class="pager" aria-label="Popular projects pages">
        {page > 1 ? (
          <a href={href(base, sort, page - 1)} rel="prev">
            ← Previous
          </a>
        ) : (
          <span />
        )}
        {props.more ? (
          <a href={href(base, sort, page + 1)} rel="next">
            Next →
          </a>
        ) : null}
      </nav>
    </section>
  );
}

/** What a new user sees instead of an empty feed: how to fill it, and projects to start with. */
export function EmptyFeed({ suggestions }: { suggestions: PopularProject[] }) {
  return (
    <>
      <p>
        Your feed shows what the people and organizations you follow do, and what happens in the projects you
        star. Follow someone from their profile, or star a project, to fill it.
      </p>
      {suggestions.length ? (
        <>
          <p>Popular projects to start with:</p>
          <ul class="popular-grid">
            {suggestions.map((p) => (
              <ProjectCard p={p} />
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <a href="/explore">Explore popular projects</a>
      </p>
    </>
  );
}
