// The home page: recent public projects for visitors; your projects and organizations once
// signed in.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { listOrgsOf } from "../orgs/orgs-service.ts";
import { ProjectList } from "../projects/project-views.tsx";
import { listProjects } from "../projects/projects-service.ts";
import { Layout } from "./layout.tsx";
import { meta } from "./page.ts";

export const homePage = new Hono<AppEnv>();

homePage.get("/", async (c) => {
  const { db } = c.get("forge");
  const viewer = c.get("viewer");
  const user = viewer.user;
  if (!user) {
    const projects = await listProjects(db, viewer, { limit: 20 });
    return c.html(
      <Layout {...meta(c, "Micelio")}>
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
        <h2>Recently updated projects</h2>
        <ProjectList projects={projects} empty={<p>No public projects yet. Be the first to create one.</p>} />
      </Layout>,
    );
  }
  const [mine, orgs] = await Promise.all([
    listProjects(db, viewer, { owner: user.handle, limit: 50 }),
    listOrgsOf(db, user.id),
  ]);
  return c.html(
    <Layout {...meta(c, "Dashboard")}>
      <div class="grid two">
        <section>
          <h1>Your projects</h1>
          <ProjectList
            projects={mine}
            empty={
              <p>
                You have no projects yet. <a href="/new">Create your first project</a>.
              </p>
            }
          />
        </section>
        <aside>
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
            <a href="/orgs/new">New organization</a>
          </p>
        </aside>
      </div>
    </Layout>,
  );
});
