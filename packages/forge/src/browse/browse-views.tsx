// Shared pieces of the code-browsing pages: repository title and tabs, breadcrumbs, the ref
// picker (plain links in a <details>, no script), the file list with last commits, relative
// dates, the clone box and the empty-repository instructions.

import { type DirectoryView, encodePath, encodeRef, type Repo } from "./browse-service.ts";
import type { CommitSummary } from "./git-history.ts";
import type { Location, TreeEntry } from "./git-read.ts";

export const shortSha = (sha: string) => sha.slice(0, 7);

/** "3 hours ago" up to a month, then the ISO date; the exact time is in datetime and title. */
export function timeAgo(date: Date, now = Date.now()): string {
  const s = Math.round((now - date.getTime()) / 1000);
  const units: [number, string][] = [
    [60, "second"],
    [60, "minute"],
    [24, "hour"],
    [30, "day"],
  ];
  let n = s;
  for (const [size, unit] of units) {
    if (Math.abs(n) < size) {
      if (unit === "second" && n < 45) return "just now";
      return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
    }
    n = Math.floor(n / size);
  }
  return `on ${date.toISOString().slice(0, 10)}`;
}

export const TimeAgo = ({ date }: { date: Date }) => (
  <time datetime={date.toISOString()} title={date.toISOString()}>
    {timeAgo(date)}
  </time>
);

export type Tab = "code" | "commits" | "branches" | "tags" | "search";

export function RepoTabs({ repo, tab }: { repo: Repo; tab: Tab }) {
  const link = (t: Tab, href: string, label: string, count?: number) => (
    <a href={href} aria-current={tab === t ? "page" : undefined}>
      {label}
      {count !== undefined ? <span class="count">{count}</span> : null}
    </a>
  );
  return (
    <nav class="repo-tabs" aria-label="Repository">
      {link("code", repo.base, "Code")}
      {link("commits", `${repo.base}/commits`, "Commits")}
      {link("branches", `${repo.base}/branches`, "Branches", repo.refs.branches.length)}
      {link("tags", `${repo.base}/tags`, "Tags", repo.refs.tags.length)}
      {link("search", `${repo.base}/search`, "Search")}
    </nav>
  );
}

/** Title and tabs for browse pages (the project home uses the project's own header). */
export function RepoHeader({ repo, tab }: { repo: Repo; tab: Tab }) {
  const p = repo.project;
  return (
    <header class="repo-header">
      <h1>
        <a href={`/${p.owner_handle}`}>{p.owner_handle}</a> / <a href={repo.base}>{p.handle}</a>{" "}
        {p.visibility === "private" ? <span class="badge">private</span> : null}
      </h1>
      <RepoTabs repo={repo} tab={tab} />
    </header>
  );
}

export const treeUrl = (repo: Repo, ref: string, path = "") =>
  `${repo.base}/tree/${encodeRef(ref)}${path ? `/${encodePath(path)}` : ""}`;
export const blobUrl = (repo: Repo, ref: string, path: string) =>
  `${repo.base}/blob/${encodeRef(ref)}/${encodePath(path)}`;
export const rawUrl = (repo: Repo, ref: string, path: string) =>
  `${repo.base}/raw/${encodeRef(ref)}/${encodePath(path)}`;
export const commitUrl = (repo: Repo, sha: string) => `${repo.base}/commit/${sha}`;
export const commitsUrl = (repo: Repo, ref: string, path = "") =>
  `${repo.base}/commits/${encodeRef(ref)}${path ? `/${encodePath(path)}` : ""}`;

/** owner/project / dir / dir / file, each part a link up the tree. */
export function Breadcrumbs({ repo, loc }: { repo: Repo; loc: Location }) {
  const parts = loc.path ? loc.path.split("/") : [];
  return (
    <nav class="breadcrumbs" aria-label="Path">
      <a href={treeUrl(repo, loc.ref)}>{repo.project.handle}</a>
      {parts.map((name, i) => (
        <>
          <span aria-hidden="true"> / </span>
          {i === parts.length - 1 ? (
            <strong aria-current="page">{name}</strong>
          ) : (
            <a href={treeUrl(repo, loc.ref, parts.slice(0, i + 1).join("/"))}>{name}</a>
          )}
        </>
      ))}
    </nav>
  );
}

const PICKER_LIMIT = 30;

/** The current ref and links to the tree of other branches and tags (works without script). */
export function RefPicker({ repo, loc }: { repo: Repo; loc: Location }) {
  const label = loc.kind === "commit" ? shortSha(loc.commit) : loc.ref;
  const list = (title: string, names: string[], all: string, total: number) =>
    total === 0 ? null : (
      <div>
        <h3>{title}</h3>
        <ul>
          {names.map((n) => (
            <li>
              <a href={treeUrl(repo, n)} aria-current={n === loc.ref ? "true" : undefined}>
                {n}
              </a>
            </li>
          ))}
        </ul>
        {total > names.length ? <a href={all}>All {title.toLowerCase()}</a> : null}
      </div>
    );
  return (
    <details class="ref-picker">
      <summary>
        <span class="hint">{loc.kind === "commit" ? "commit" : loc.kind}:</span> <strong>{label}</strong>
      </summary>
      <div class="ref-menu">
        {list(
          "Branches",
          repo.refs.branches.slice(0, PICKER_LIMIT).map((b) => b.name),
          `${repo.base}/branches`,
          repo.refs.branches.length,
        )}
        {list(
          "Tags",
          repo.refs.tags.slice(0, PICKER_LIMIT).map((t) => t.name),
          `${repo.base}/tags`,
          repo.refs.tags.length,
        )}
      </div>
    </details>
  );
}

function EntryName({ repo, loc, e }: { repo: Repo; loc: Location; e: TreeEntry }) {
  if (e.type === "commit") {
    return (
      <span title="Submodule">
        {e.name} @ <code>{shortSha(e.oid)}</code>
      </span>
    );
  }
  const href = e.type === "tree" ? treeUrl(repo, loc.ref, e.path) : blobUrl(repo, loc.ref, e.path);
  return <a href={href}>{e.name}</a>;
}

/** Entry icons as inline SVG paths (16×16), so they show without an emoji font. */
const ICON_PATHS = {
  tree: "M1.5 3.5h5l1.5 1.5h6.5v8.5h-13z",
  blob: "M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3",
  commit: "M2 4.5l6-3 6 3v7l-6 3-6-3z M2 4.5l6 3 6-3 M8 7.5v7",
  symlink: "M3.5 1.5h6l3 3v10h-9z M6 11l4-4 M7 7h3v3",
} as const;

function EntryIcon({ kind }: { kind: keyof typeof ICON_PATHS }) {
  return (
    <svg class="fl-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d={ICON_PATHS[kind]} />
    </svg>
  );
}

function LastCommit({ repo, c }: { repo: Repo; c: CommitSummary | undefined }) {
  return c ? (
    <>
      <td class="fl-msg">
        <a href={commitUrl(repo, c.sha)} title={c.subject}>
          {c.subject}
        </a>
      </td>
      <td class="fl-date">
        <TimeAgo date={c.date} />
      </td>
    </>
  ) : (
    <>
      <td class="fl-msg" />
      <td class="fl-date" />
    </>
  );
}

/** A directory listing: folders first, each entry with the last commit that touched it. */
export function FileList({ repo, loc, dir }: { repo: Repo; loc: Location; dir: DirectoryView }) {
  const parent = loc.path.includes("/") ? loc.path.slice(0, loc.path.lastIndexOf("/")) : "";
  return (
    <div class="file-list-wrap">
      <table class="file-list">
        <tbody>
          {loc.path ? (
            <tr>
              <td class="fl-name" colspan={3}>
                <a href={treeUrl(repo, loc.ref, parent)} aria-label="Parent directory">
                  ..
                </a>
              </td>
            </tr>
          ) : null}
          {dir.entries.map((e) => (
            <tr>
              <td class="fl-name">
                <EntryIcon kind={e.mode === "120000" ? "symlink" : e.type} />
                <EntryName repo={repo} loc={loc} e={e} />
              </td>
              <LastCommit repo={repo} c={dir.last.get(e.name)} />
            </tr>
          ))}
        </tbody>
      </table>
      {dir.entries.length === 0 ? <p class="hint">This directory is empty.</p> : null}
    </div>
  );
}

export function CloneBox({ url }: { url: string }) {
  return (
    <div class="clone-box">
      <label for="clone-url">Clone over HTTP</label>
      <input id="clone-url" readonly value={url} spellcheck={false} />
    </div>
  );
}

/** What an empty repository shows: where to push, and how. */
export function EmptyRepo({ url, branch }: { url: string; branch: string }) {
  const cmd = (lines: string[]) => <pre class="commands">{lines.join("\n")}</pre>;
  return (
    <section class="card empty-repo">
      <h2>This repository is empty</h2>
      <CloneBox url={url} />
      <h3>Push an existing repository</h3>
      {cmd([`git remote add origin ${url}`, `git push -u origin ${branch}`])}
      <h3>Or start a new one</h3>
      {cmd([
        `git init -b ${branch}`,
        `echo "# Hello" > README.md`,
        "git add README.md",
        `git commit -m "First commit"`,
        `git remote add origin ${url}`,
        `git push -u origin ${branch}`,
      ])}
    </section>
  );
}
