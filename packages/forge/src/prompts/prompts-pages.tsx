// Prompt registry pages: a project's prompts (/{owner}/{project}/prompts) and every prompt
// the viewer may read (/prompts): a search box, outcome tabs with their counts, the prompts
// linking to their sessions, newest first with ?before=<id> pages, and an empty state that
// says how prompts get here. Templates have their own page (templates-pages.tsx).
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { projectBase, projectPage } from "../sessions/session-views.tsx";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import {
  EmptyRegistry,
  OutcomeTabs,
  Pager,
  PromptList,
  PromptSearch,
  registryFilters,
} from "./prompt-views.tsx";
import { instancePrompts, projectPrompts } from "./registry-service.ts";
import { templatesPages } from "./templates-pages.tsx";

export const promptsPages = new Hono<AppEnv>();
promptsPages.route("/", templatesPages);

const PER_PAGE = 30;

promptsPages.get("/prompts", async (c) => {
  const f = registryFilters(c.req.query());
  const r = await instancePrompts(c.get("forge").db, c.get("viewer"), {
    ...f,
    template: undefined,
    limit: PER_PAGE,
  });
  const filters = { ...f, template: undefined };
  return c.html(
    <Layout
      {...meta(
        c,
        "Prompts",
        "The prompts agents worked from, across the projects you can see, with their outcomes",
      )}
    >
      <h1>Prompts</h1>
      <p class="hint">
        The prompts agents' sessions carry, across every project you can see, newest first. Search them before
        writing your own; a project's maintainers curate the best into templates.
      </p>
      <PromptSearch action="/prompts" f={filters} label="Search prompts and goals" />
      <OutcomeTabs base="/prompts" f={filters} counts={r.counts} />
      {r.rows.length ? (
        <PromptList rows={r.rows} showProject />
      ) : (
        <EmptyRegistry base="/prompts" f={filters} />
      )}
      <Pager base="/prompts" f={filters} next={r.next_before} />
    </Layout>,
  );
});

promptsPages.get("/:owner/:project/prompts", async (c) => {
  const db = c.get("forge").db;
  const { project: p, role } = await getProject(
    db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  const f = registryFilters(c.req.query());
  const r = await projectPrompts(db, p, { ...f, limit: PER_PAGE });
  const base = `${projectBase(p)}/prompts`;
  return projectPage(
    c,
    p,
    "Prompts",
    "prompts",
    <>
      <h2>Prompts</h2>
      <p class="hint">
        What agents were asked, beside what came of it. <a href={`${base}/templates`}>Prompt templates</a> ·{" "}
        <a href="/prompts">Prompts across projects</a>
        {f.template ? (
          <>
            {" "}
            · from template <code>{f.template}</code>
          </>
        ) : null}
      </p>
      <PromptSearch action={base} f={f} label="Search this project's prompts" />
      <OutcomeTabs base={base} f={f} counts={r.counts} />
      {r.rows.length ? (
        <PromptList rows={r.rows} curate={role === "admin"} />
      ) : (
        <EmptyRegistry base={base} f={f} templates={`${base}/templates`} />
      )}
      <Pager base={base} f={f} next={r.next_before} />
    </>,
  );
});
