// A project's activity (/{owner}/{project}/activity): trunk's landings by position, newest
// first — goal (linking to the session), author, the agent and its AI transparency badge,
// when, and the landed commit — 30 a page, older pages by ?before=<position>.
import { Hono } from "hono";
import { shortSha, TimeAgo } from "../browse/browse-views.tsx";
import type { AppEnv } from "../http/context.ts";
import { viewProject } from "../projects/projects-service.ts";
import { listLandings } from "./landings-log.ts";
import { AgentName, commitLink, OriginBadge, projectBase, projectPage, StaleMark } from "./session-views.tsx";

export const activityPage = new Hono<AppEnv>();

const PER_PAGE = 30;

activityPage.get("/:owner/:project/activity", async (c) => {
  const db = c.get("forge").db;
  const { project: p } = await viewProject(db, c.get("viewer"), c.req.param("owner"), c.req.param("project"));
  const before = Number.parseInt(c.req.query("before") ?? "", 10);
  const cursor = Number.isSafeInteger(before) && before > 1 ? Math.min(before, 2_147_483_647) : undefined;
  const rows = await listLandings(db, p.id, { before: cursor, limit: PER_PAGE + 1 }, c.get("viewer"));
  const landings = rows.slice(0, PER_PAGE);
  const here = `${projectBase(p)}/activity`;
  return projectPage(
    c,
    p,
    "Activity",
    "activity",
    <>
      <h2>Landings</h2>
      {landings.length ? (
        <ol class="list activity-list">
          {landings.map((l) => (
            <li id={`position-${l.position}`}>
              <span class="position" title={`Position ${l.position} on trunk`}>
                #{l.position}
              </span>{" "}
              {l.session && l.session_project ? (
                <a href={`/${l.session_project}/sessions/${l.session}`} class="activity-goal">
                  {l.goal ?? "(no goal)"}
                </a>
              ) : (
                <span class="activity-goal">{l.goal ?? "(no goal)"}</span>
              )}{" "}
              <OriginBadge origin={l.origin} /> {l.stale ? <StaleMark /> : null}
              <p>
                <span>{l.author ?? "unknown"}</span>
                {l.agent ? (
                  <>
                    {" with "}
                    <AgentName name={l.agent.name} model={l.agent.model} />
                  </>
                ) : null}{" "}
                · landed <TimeAgo date={new Date(l.landed_at)} /> ·{" "}
                <a href={commitLink(p, l.commit)}>
                  <code>{shortSha(l.commit)}</code>
                </a>{" "}
                · {l.paths} file{l.paths === 1 ? "" : "s"}
              </p>
            </li>
          ))}
        </ol>
      ) : (
        <div class="empty">
          <p>{cursor ? "No earlier landings." : "Nothing has landed on trunk yet."}</p>
          <p>
            Landings appear here as sessions land (and as commits are pushed to trunk).{" "}
            <a href={`${projectBase(p)}/sessions`}>See the sessions</a>.
          </p>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {cursor ? <a href={here}>← Newest</a> : <span />}
        {rows.length > PER_PAGE ? (
          <a href={`${here}?before=${landings[landings.length - 1]!.position}`}>Older →</a>
        ) : null}
      </nav>
    </>,
  );
});
