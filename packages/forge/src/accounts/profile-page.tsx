// A user's or organization's page: who they are and the projects the viewer may see.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { accountJsonLd } from "../meta/json-ld.ts";
import { publicOrigin } from "../meta/urls.ts";
import { accountOgImage } from "../og/og-head.ts";
import { listMembers, orgRole } from "../orgs/orgs-service.ts";
import { loadProfileExtras, ProfileHeader, ProfileSections } from "../profiles/profile-data.tsx";
import { ProjectList } from "../projects/project-views.tsx";
import { listProjects } from "../projects/projects-service.ts";
import { StarredSection } from "../social/social-views.tsx";
import { AgentsSection } from "../trust/account-agents.tsx";
import { accountAgents } from "../trust/agent-stats.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { getVisibleAccount } from "./accounts-service.ts";

export const profilePage = new Hono<AppEnv>();

profilePage.get("/:owner", async (c) => {
  const { db } = c.get("forge");
  const viewer = c.get("viewer");
  const account = await getVisibleAccount(db, viewer, c.req.param("owner"));
  const projects = await listProjects(db, viewer, { owner: account.handle, limit: 100 });
  const isOrg = account.kind === "org";
  const members = isOrg ? await listMembers(db, account.id) : [];
  const role = isOrg ? await orgRole(db, account.id, viewer.user?.id) : null;
  const mine = viewer.user?.id === account.id || role !== null;
  const name = account.display_name || account.handle;
  const extras = await loadProfileExtras(db, viewer, account, c.req.query("page"));
  const canEdit = viewer.user?.id === account.id || role === "owner";
  const image = await accountOgImage(c, account);
  return c.html(
    <Layout
      {...meta(c, name, account.bio || `${name} on Micelio`)}
      ogType="profile"
      jsonLd={accountJsonLd(account, publicOrigin(c))}
      image={image}
    >
      <div class="grid two">
        <section>
          <ProfileHeader
            account={account}
            canEdit={canEdit}
            follow={{ state: extras.follow, csrf: c.get("csrfToken") }}
          >
            <h1>
              {name} {isOrg ? <span class="badge">organization</span> : null}
            </h1>
            {name !== account.handle ? <p class="hint">@{account.handle}</p> : null}
          </ProfileHeader>
          <h2>Projects</h2>
          <ProjectList
            projects={projects}
            empty={
              mine ? (
                <p>
                  No projects yet. <a href={`/new?owner=${encodeURIComponent(account.handle)}`}>Create one</a>
                  .
                </p>
              ) : (
                <p>No public projects yet.</p>
              )
            }
          />
          {isOrg ? null : <StarredSection c={c} userId={account.id} />}
          {isOrg ? null : <AgentsSection agents={await accountAgents(db, viewer, account.id)} />}
          <ProfileSections account={account} extras={extras} />
        </section>
        {isOrg ? (
          <aside>
            <h2>Members</h2>
            <ul class="list">
              {members.map((m) => (
                <li>
                  <a href={`/${m.handle}`}>{m.name}</a> <span class="badge">{m.role}</span>
                </li>
              ))}
            </ul>
            {role === "owner" ? <a href={`/orgs/${account.handle}/members`}>Manage members</a> : null}
          </aside>
        ) : null}
      </div>
    </Layout>,
  );
});
