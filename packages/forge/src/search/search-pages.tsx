// Search pages: /search (projects, users or organizations, sorted and paged) and
// /{owner}/{project}/search (code search at a ref). Both work without script and from
// 320 px wide; bad queries get the page back with the reason and a 400.
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { openRepo, type Repo } from "../browse/browse-service.ts";
import { RepoHeader } from "../browse/browse-views.tsx";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { ProjectList } from "../projects/project-views.tsx";
import { Alert, Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { memberCounts, searchAccounts } from "./account-search.ts";
import { type CodeResults, searchCode } from "./code-search.ts";
import { searchProjects } from "./project-search.ts";
import { PROJECT_SORTS, type ProjectSort, queryText } from "./search-query.ts";
import {
  AccountResults,
  CodeMatches,
  Pager,
  SEARCH_TYPES,
  SearchForm,
  SearchTabs,
  type SearchType,
  searchHref,
} from "./search-views.tsx";

export const searchPages = new Hono<AppEnv>();

/** The query's problem as a message, or undefined when it is fine. */
function queryProblem(q: string): string | undefined {
  const parsed = queryText.safeParse(q);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}

/** Expected failures (bad cursor, bad regex, too many searches) become a message on the page. */
function pageFailure(err: unknown): { status: 400 | 429; message: string } {
  if (err instanceof AppError && (err.kind === "invalid" || err.kind === "rate_limited")) {
    return { status: err.kind === "invalid" ? 400 : 429, message: err.message };
  }
  throw err;
}

function NoResults({ q, type }: { q: string; type: SearchType }) {
  const others = (Object.keys(SEARCH_TYPES) as SearchType[]).filter((t) => t !== type);
  return (
    <div class="empty">
      <p>
        <strong>
          No {SEARCH_TYPES[type].toLowerCase()} match “{q}”.
        </strong>
      </p>
      <ul class="search-tips">
        <li>Check the spelling, or try fewer or more general words.</li>
        <li>
          Look among{" "}
          {others.map((t, i) => (
            <>
              {i > 0 ? " or " : ""}
              <a href={searchHref({ q, type: t })}>{SEARCH_TYPES[t].toLowerCase()}</a>
            </>
          ))}{" "}
          instead.
        </li>
        {type === "projects" ? <li>Private projects show only to people who can read them.</li> : null}
        <li>
          <a href="/">See recently updated projects</a>.
        </li>
      </ul>
    </div>
  );
}

searchPages.get("/search", async (c) => {
  const { db } = c.get("forge");
  const viewer = c.get("viewer");
  const q = c.req.query("q") ?? "";
  const typeParam = c.req.query("type") ?? "";
  const type: SearchType = typeParam in SEARCH_TYPES ? (typeParam as SearchType) : "projects";
  const sortParam = c.req.query("sort") ?? "";
  const sort: ProjectSort = (PROJECT_SORTS as readonly string[]).includes(sortParam)
    ? (sortParam as ProjectSort)
    : "relevance";
  const cursor = c.req.query("cursor");
  const shown = q.trim();
  const frame = (status: 200 | 400 | 429, body: Child) =>
    c.html(
      <Layout {...meta(c, shown ? `“${shown.slice(0, 80)}” · Search` : "Search")}>
        <h1>Search</h1>
        <SearchForm q={q} type={type} sort={sort} />
        {shown ? <SearchTabs q={shown} type={type} sort={sort} /> : null}
        {body}
      </Layout>,
      status,
    );
  if (!shown) {
    return frame(
      200,
      <div class="empty">
        <p>Find projects by name, description or README, and people and organizations by name.</p>
        <p class="hint">
          Use quotes for a phrase (“"merge queue"”) and a minus to leave a word out (“forge -mirror”).
        </p>
      </div>,
    );
  }
  const problem = queryProblem(q);
  if (problem) return frame(400, <Alert message={problem} />);
  const next = (nextCursor: string | null) =>
    nextCursor
      ? searchHref({ q: shown, type, sort: sort === "relevance" ? undefined : sort, cursor: nextCursor })
      : undefined;
  const first = cursor
    ? searchHref({ q: shown, type, sort: sort === "relevance" ? undefined : sort })
    : undefined;
  try {
    if (type === "projects") {
      const found = await searchProjects(db, viewer, { q: shown, sort, cursor });
      if (found.items.length === 0) return frame(200, <NoResults q={shown} type={type} />);
      return frame(
        200,
        <>
          {found.match === "similar" ? (
            <p class="notice">No project mentions those words; these have similar names.</p>
          ) : null}
          <ProjectList projects={found.items} details />
          <Pager next={next(found.next_cursor)} first={first} />
        </>,
      );
    }
    const found = await searchAccounts(db, { q: shown, kind: type === "users" ? "user" : "org", cursor });
    if (found.items.length === 0) return frame(200, <NoResults q={shown} type={type} />);
    const members =
      type === "orgs"
        ? await memberCounts(
            db,
            found.items.map((a) => a.id),
          )
        : undefined;
    return frame(
      200,
      <>
        <AccountResults accounts={found.items} members={members} />
        <Pager next={next(found.next_cursor)} first={first} />
      </>,
    );
  } catch (err) {
    const failure = pageFailure(err);
    return frame(failure.status, <Alert message={failure.message} />);
  }
});

const truthy = (v: string | undefined) => v === "1" || v === "true" || v === "on";

function CodeSearchForm(props: { repo: Repo; q: string; regex: boolean; ignoreCase: boolean; ref: string }) {
  const { repo } = props;
  const refs = repo.refs.branches.slice(0, 200).map((b) => b.name);
  if (props.ref && !refs.includes(props.ref)) refs.unshift(props.ref);
  return (
    <search>
      <form method="get" action={`${repo.base}/search`} class="search-form code-search-form">
        <label for="code-q" class="visually-hidden">
          Search code
        </label>
        <input type="search" id="code-q" name="q" value={props.q} maxlength={256} placeholder="Search code" />
        {refs.length > 1 ? (
          <>
            <label for="code-ref" class="visually-hidden">
              Branch
            </label>
            <select id="code-ref" name="ref">
              {refs.map((r) => (
                <option value={r} selected={r === (props.ref || repo.refs.defaultBranch)}>
                  {r}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label class="choice">
          <input type="checkbox" name="regex" value="1" checked={props.regex} /> Regular expression
        </label>
        <label class="choice">
          <input type="checkbox" name="ignore_case" value="1" checked={props.ignoreCase} /> Ignore case
        </label>
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

function CodeSummary({ found }: { found: CodeResults }) {
  const n = found.items.length;
  const files = new Set(found.items.map((m) => m.path)).size;
  return (
    <>
      <p class="hint">
        {n} matching line{n === 1 ? "" : "s"} in {files} file{files === 1 ? "" : "s"} on{" "}
        <strong>{found.ref}</strong>
      </p>
      {found.truncated ? (
        <p class="notice">
          {found.timed_out ? "The search ran out of time" : `Showing the first ${n} matches`}; there may be
          more. Try a more specific search.
        </p>
      ) : null}
    </>
  );
}

searchPages.get("/:owner/:project/search", async (c: Context<AppEnv>) => {
  const forge = c.get("forge");
  const viewer = c.get("viewer");
  const owner = c.req.param("owner")!;
  const project = c.req.param("project")!;
  const q = c.req.query("q") ?? "";
  const regex = truthy(c.req.query("regex"));
  const ignoreCase = truthy(c.req.query("ignore_case"));
  const ref = c.req.query("ref") ?? "";
  const repo = await openRepo(forge, viewer, owner, project);
  const p = repo.project;
  if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
  const shown = q.trim();
  const frame = (status: 200 | 400 | 429, body: Child) =>
    c.html(
      <Layout {...meta(c, `Search · ${p.owner_handle}/${p.handle}`, p.description || undefined)}>
        <link rel="stylesheet" href="/assets/highlight.css" />
        <RepoHeader repo={repo} tab="search" />
        <CodeSearchForm repo={repo} q={q} regex={regex} ignoreCase={ignoreCase} ref={ref} />
        {body}
      </Layout>,
      status,
    );
  if (!shown) {
    return frame(
      200,
      <p class="hint">
        Search the files of this project. Text is matched as written; tick “Regular expression” for a
        Perl-style pattern.
      </p>,
    );
  }
  const problem = queryProblem(q);
  if (problem) return frame(400, <Alert message={problem} />);
  try {
    const found = await searchCode(forge, viewer, owner, project, {
      q: shown,
      regex,
      ignoreCase,
      ref: ref || undefined,
    });
    if (found.ref === null) return frame(200, <div class="empty">This project has no code yet.</div>);
    if (found.items.length === 0) {
      return frame(
        200,
        <div class="empty">
          <p>
            <strong>
              No lines match “{shown}” on {found.ref}.
            </strong>
          </p>
          <p class="hint">Check the spelling, try “Ignore case”, or search another branch.</p>
        </div>,
      );
    }
    return frame(
      200,
      <>
        <CodeSummary found={found} />
        <CodeMatches items={found.items} />
      </>,
    );
  } catch (err) {
    const failure = pageFailure(err);
    return frame(failure.status, <Alert message={failure.message} />);
  }
});
