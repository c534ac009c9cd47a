// Pieces of the search pages: the search form, result lists for projects, users and
// organizations, code matches with the matched text marked, and the pager. All text goes
// through JSX, so it is escaped.
import type { Child } from "hono/jsx";
import type { Account } from "../db/schema.ts";
import type { CodeMatch } from "./code-search.ts";
import { MAX_QUERY_LENGTH, type ProjectSort } from "./search-query.ts";

export type SearchType = "projects" | "users" | "orgs";
export const SEARCH_TYPES: Record<SearchType, string> = {
  projects: "Projects",
  users: "Users",
  orgs: "Organizations",
};
const SORT_LABELS: Record<ProjectSort, string> = {
  relevance: "Best match",
  stars: "Most stars",
  recent: "Recently active",
};

export const searchHref = (params: Record<string, string | undefined>) => {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
  return `/search?${qs}`;
};

export function SearchForm(props: { q: string; type: SearchType; sort: ProjectSort }) {
  return (
    <search>
      <form method="get" action="/search" class="search-form">
        <label for="search-q" class="visually-hidden">
          Search
        </label>
        <input
          type="search"
          id="search-q"
          name="q"
          value={props.q}
          maxlength={MAX_QUERY_LENGTH}
          placeholder="Search projects, users, organizations"
          autofocus={props.q === ""}
        />
        <input type="hidden" name="type" value={props.type} />
        {props.type === "projects" ? (
          <>
            <label for="search-sort" class="visually-hidden">
              Sort by
            </label>
            <select id="search-sort" name="sort">
              {(Object.keys(SORT_LABELS) as ProjectSort[]).map((s) => (
                <option value={s} selected={s === props.sort}>
                  {SORT_LABELS[s]}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

export function SearchTabs(props: { q: string; type: SearchType; sort: ProjectSort }) {
  return (
    <nav class="repo-tabs search-tabs" aria-label="What to search">
      {(Object.keys(SEARCH_TYPES) as SearchType[]).map((t) => (
        <a
          href={searchHref({
            q: props.q,
            type: t,
            sort: t === "projects" && props.sort !== "relevance" ? props.sort : undefined,
          })}
          aria-current={t === props.type ? "page" : undefined}
        >
          {SEARCH_TYPES[t]}
        </a>
      ))}
      <a href={props.q ? `/prompts?q=${encodeURIComponent(props.q)}` : "/prompts"}>Prompts</a>
    </nav>
  );
}

export function AccountResults({
  accounts,
  members,
}: {
  accounts: Account[];
  members?: Map<string, number>;
}) {
  return (
    <ul class="list search-results">
      {accounts.map((a) => (
        <li>
          <a href={`/${a.handle}`}>
            <strong>{a.handle}</strong>
          </a>
          {a.display_name && a.display_name !== a.handle ? <span class="hint"> {a.display_name}</span> : null}
          {members ? (
            <span class="badge">
              {members.get(a.id) ?? 0} member{(members.get(a.id) ?? 0) === 1 ? "" : "s"}
            </span>
          ) : null}
          {a.bio ? <p>{a.bio}</p> : null}
        </li>
      ))}
    </ul>
  );
}

/** The line with each matched range in <mark>. */
export function MarkedLine({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  const parts: Child[] = [];
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue; // overlapping ranges: keep the first
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

/** Matches grouped by file, each line linking to the file view at that line. */
export function CodeMatches({ items }: { items: CodeMatch[] }) {
  const files = new Map<string, CodeMatch[]>();
  for (const m of items) files.set(m.path, [...(files.get(m.path) ?? []), m]);
  return (
    <div class="code-results">
      {[...files].map(([path, matches]) => (
        <section class="code-result">
          <h3 class="mono">
            <a href={matches[0]!.url.replace(/#L\d+$/, "")}>{path}</a>
          </h3>
          <div class="code-scroll">
            <table class="code">
              <tbody>
                {matches.map((m) => (
                  <tr>
                    <td class="ln">
                      <a href={m.url} aria-label={`${path} line ${m.line}`}>
                        {m.line}
                      </a>
                    </td>
                    <td class="lc">
                      {m.offset > 0 ? "…" : null}
                      <MarkedLine text={m.text} ranges={m.ranges} />
                      {m.offset + m.text.length < m.line_length ? "…" : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}

export function Pager(props: { next?: string; first?: string }) {
  if (!props.next && !props.first) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.first ? <a href={props.first}>← First page</a> : null}
      {props.next ? (
        <a href={props.next} rel="next">
          Next page →
        </a>
      ) : null}
    </nav>
  );
}
