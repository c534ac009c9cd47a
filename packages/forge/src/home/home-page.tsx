// The home page. Visitors: what Micelio is, and popular projects (trending, most starred,
// recently active) in pages with shareable URLs (/?sort=stars&page=2). Signed-in users:
// a feed of what the accounts they follow do and of activity in the projects they starred,
// beside their own and their organizations' projects. /explore shows the popular projects
// to everyone. Only projects the viewer may read appear anywhere. The feed is also JSON at
// GET /api/v1/user/feed (feed-api.ts).
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { listOrgsOf } from "../orgs/orgs-service.ts";
import { feedPage } from "../profiles/activity.ts";
import { ActivityFeed } from "../profiles/profile-views.tsx";
import { ProjectList } from "../projects/project-views.tsx";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { HOME_CSS } from "./home-css.ts";
import { EmptyFeed, PopularSection } from "./home-views.tsx";
import { parsePage, parseSort, popularProjects, projectsOfUserAndOrgs } from "./popular.ts";

export const homePage = new Hono<AppEnv>();
const css = <link rel="stylesheet" href="/assets/home.css" />;

homePage.get("/assets/home.css", (c) =>
  c.body(HOME_CSS, 200, {
    "Content-Type": "text/css; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);

homePage.get("/explore", async (c) => {
  const { db } = c.get("forge");
  const sort = parseSort(c.req.query("sort"));
  const page = parsePage(c.req.query("page"));
  const popular = await popularProjects(db, c.get("viewer"), sort, page);
  return c.html(
    <Layout {...meta(c, "Explore", "Popular projects on Micelio")}>
      {css}
      <PopularSection sort={sort} page={page} {...popular} base="/explore" heading="h1" />
    </Layout>,
  );
});

homePage.get("/", async (c) => {
  const { db } = c.get("forge");
  const viewer = c.get("viewer");
  const user = viewer.user;
  if (!user) {
    const sort = parseSort(c.req.query("sort"));
    const page = parsePage(c.req.query("page"));
    const popular = await popularProjects(db, viewer, sort, page);
    return c.html(
      <Layout {...meta(c, "Micelio")}>
        {css}
        <section class="card">
          <h1>A forge where people and AI agents work side by side</h1>
          <p>
            Every change arrives as a session that records why it was made, and lands on trunk with conflict
            detection.
          </p>
          <p>
            <a class="button" href="/signup">
              Create an account
            </a>{" "}
            <a class="button secondary" href="/login">
              Log in
            </a>
          </p>
        </section>
        <PopularSection sort={sort} page={page} {...popular} base="/" />
      </Layout>,
    );
  }
  const page = Math.max(0, Math.min(50, Number.parseInt(c.req.query("page") ?? "0", 10) || 0));
  const [mine, orgs, feed] = await Promise.all([
    projectsOfUserAndOrgs(db, viewer, user.id),
    listOrgsOf(db, user.id),
    feedPage({ db, viewer, follower: user.id }, page),
  ]);
  const suggestions =
    feed.items.length === 0 && page === 0 ? (await popularProjects(db, viewer, "stars", 1, 4)).projects : [];
  return c.html(
    <Layout {...meta(c, "Dashboard")}>
      {css}
      <div class="grid two">
        <section>
          <ActivityFeed
            items={feed.items}
            page={page}
            older={feed.older}
            base="/"
            title="Your feed"
            withActor
            empty={<EmptyFeed suggestions={suggestions} />}
          />
        </section>
        <aside>
          <h2>Your projects</h2>
          <ProjectList
            projects={mine}
            empty={
              <p>
                You have no projects yet. <a href="/new">Create your first project</a>.
              </p>
            }
          />
          <h2>Organizations</h2>
          {orgs.length === 0 ? (
            <p class="hint">You are not in any organization.</p>
          ) : (
            <ul class="list">
              {orgs.map((o) => (
                <li>
                  <a href={`/${o.handle}`}>{o.display_name || o.handle}</a>{" "}
                  <span class="badge">{o.role}</span>
                </li>
              ))}
            </ul>
          )}
          <p>
            <a href="/orgs/new">New organization</a> · <a href="/explore">Explore popular projects</a>
          </p>
        </aside>
      </div>
    </Layout>,
  );
});
