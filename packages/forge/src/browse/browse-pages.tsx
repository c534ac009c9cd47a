// Code-browsing pages, server-rendered and usable without script: tree, file (blob), raw,
// commit history, one commit with its diff, branches and tags. URLs put the ref and the
// path together ("/o/p/tree/feature/x/src"): the longest leading part naming a branch or
// tag is the ref. Every route opens the repository through the service, which checks access.
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { HtmlEscapedCallbackPhase, type HtmlEscapedString, resolveCallback } from "hono/utils/html";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import type { HeadImage } from "../meta/head.tsx";
import { commitOgImage } from "../og/og-head.ts";
import { splitLines } from "../render/index.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { browseAssets } from "./browse-assets.ts";
import {
  codeView,
  commitDetail,
  commitPage,
  locate,
  locateRef,
  openRepo,
  type Repo,
  readDirectory,
  readEntry,
  renderMarkdownBlob,
  renderReadme,
} from "./browse-service.ts";
import {
  Breadcrumbs,
  blobUrl,
  commitsUrl,
  FileList,
  RefPicker,
  RepoHeader,
  type Tab,
  TimeAgo,
  treeUrl,
} from "./browse-views.tsx";
import { cdnHref } from "./cdn-links.ts";
import { bodyKind, type FileBody, FileContent, FileHeader } from "./code-view.tsx";
import { CommitList, CommitMeta, DiffView } from "./commit-views.tsx";
import type { Location } from "./git-read.ts";
import { ReadmeCard } from "./project-home.tsx";
import { serveRaw } from "./raw-file.ts";

export const browsePages = new Hono<AppEnv>();
browsePages.route("/", browseAssets);

const PER_PAGE = 30;
const MAX_PAGE = 1000;

const repoFor = (c: Context<AppEnv>) =>
  openRepo(c.get("forge"), c.get("viewer"), c.req.param("owner")!, c.req.param("project")!);

function page(
  c: Context<AppEnv>,
  repo: Repo,
  title: string,
  tab: Tab,
  children: Child,
  image?: HeadImage,
  splice?: Splice,
) {
  const p = repo.project;
  if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
  const html = (
    <Layout
      {...meta(c, `${title} · ${p.owner_handle}/${p.handle}`, p.description || undefined)}
      image={image}
    >
      <link rel="stylesheet" href="/assets/highlight.css" />
      <RepoHeader repo={repo} tab={tab} />
      {children}
    </Layout>
  );
  return splice ? spliced(c, html, splice) : c.html(html);
}

/** A large cached part of a page, already UTF-8, put where the page says `marker`. */
interface Splice {
  marker: string;
  bytes: Buffer;
}

/**
 * Renders the page around the spliced part, so the part (a 2,000-line file's code table) is
 * neither copied into the page string nor encoded again: only the small rest is.
 */
async function spliced(c: Context<AppEnv>, html: HtmlEscapedString | Promise<HtmlEscapedString>, s: Splice) {
  const text = await resolveCallback(await html, HtmlEscapedCallbackPhase.Stringify, false, {});
  const at = text.indexOf(s.marker);
  const body =
    at < 0
      ? Buffer.from(text)
      : Buffer.concat([
          Buffer.from(text.slice(0, at)),
          s.bytes,
          Buffer.from(text.slice(at + s.marker.length)),
        ]);
  return c.body(body, 200, { "Content-Type": "text/html; charset=UTF-8" });
}

const Toolbar = ({ repo, loc }: { repo: Repo; loc: Location }) => (
  <div class="repo-toolbar">
    <RefPicker repo={repo} loc={loc} />
    <Breadcrumbs repo={repo} loc={loc} />
  </div>
);

browsePages.get("/:owner/:project/tree/:rest{.+}", async (c) => {
  const forge = c.get("forge");
  const repo = await repoFor(c);
  const loc = await locate(repo, c.req.param("rest"));
  const dir = await readDirectory(forge, repo, loc);
  if (!dir) {
    const f = await readEntry(repo, loc, 0);
    if (f.entry.type === "blob") return c.redirect(blobUrl(repo, loc.ref, loc.path), 302);
    throw notFound("No such directory");
  }
  const readme = await renderReadme(forge, repo, loc, dir.entries);
  return page(
    c,
    repo,
    loc.path || (loc.kind === "commit" ? loc.commit.slice(0, 7) : loc.ref),
    "code",
    <>
      <Toolbar repo={repo} loc={loc} />
      <FileList repo={repo} loc={loc} dir={dir} />
      {readme ? <ReadmeCard repo={repo} loc={loc} readme={readme} /> : null}
    </>,
  );
});

browsePages.get("/:owner/:project/blob/:rest{.+}", async (c) => {
  const forge = c.get("forge");
  const repo = await repoFor(c);
  const loc = await locate(repo, c.req.param("rest"));
  if (!loc.path) return c.redirect(treeUrl(repo, loc.ref), 302);
  const f = await readEntry(repo, loc);
  if (f.entry.type === "tree") return c.redirect(treeUrl(repo, loc.ref, loc.path), 302);
  if (f.entry.type !== "blob") throw notFound("No such file");
  const plain = c.req.query("plain") === "1";
  const body: FileBody = { kind: bodyKind(f.entry, f, plain), rawHref: cdnHref(forge, repo, f.entry) };
  const text = f.content?.toString("utf8") ?? "";
  let splice: Splice | undefined;
  if (body.kind === "code") {
    const view = await codeView(forge, f.entry, text);
    splice = { marker: `<!--code-${randomUUID()}-->`, bytes: view.bytes };
    Object.assign(body, { html: splice.marker, lineCount: view.lineCount, language: view.language });
  } else if (body.kind === "markdown") {
    body.html = await renderMarkdownBlob(forge, repo, loc, f.entry, text);
    body.lineCount = splitLines(text).length;
  } else if (body.kind === "symlink") {
    body.target = text;
  }
  return page(
    c,
    repo,
    loc.path,
    "code",
    <>
      <Toolbar repo={repo} loc={loc} />
      <section class="file-view">
        <FileHeader repo={repo} loc={loc} entry={f.entry} body={body} plain={plain} />
        <FileContent repo={repo} loc={loc} entry={f.entry} body={body} />
      </section>
    </>,
    undefined,
    splice,
  );
});

browsePages.get("/:owner/:project/raw/:rest{.+}", async (c) => {
  const repo = await repoFor(c);
  return serveRaw(c, repo, await locate(repo, c.req.param("rest")));
});

async function commitsPage(c: Context<AppEnv>, rest: string | undefined) {
  const repo = await repoFor(c);
  const loc = rest ? await locate(repo, rest) : await locateRef(repo, undefined);
  if (!loc) {
    return page(c, repo, "Commits", "commits", <p class="empty">No commits yet.</p>);
  }
  const n = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1));
  const { commits, hasMore } = await commitPage(repo, loc, loc.path, n, PER_PAGE);
  const here = commitsUrl(repo, loc.ref, loc.path);
  return page(
    c,
    repo,
    `Commits${loc.path ? ` to ${loc.path}` : ""}`,
    "commits",
    <>
      <div class="repo-toolbar">
        <RefPicker repo={repo} loc={loc} />
        <h2>
          Commits
          {loc.path ? (
            <>
              {" "}
              to <code>{loc.path}</code>
            </>
          ) : null}
        </h2>
      </div>
      {commits.length ? <CommitList repo={repo} commits={commits} /> : <p class="empty">No commits here.</p>}
      <nav class="pager" aria-label="Pages">
        {n > 1 ? <a href={n === 2 ? here : `${here}?page=${n - 1}`}>← Newer</a> : null}
        {hasMore && n < MAX_PAGE ? <a href={`${here}?page=${n + 1}`}>Older →</a> : null}
      </nav>
    </>,
  );
}

browsePages.get("/:owner/:project/commits", (c) => commitsPage(c, undefined));
browsePages.get("/:owner/:project/commits/:rest{.+}", (c) => commitsPage(c, c.req.param("rest")));

browsePages.get("/:owner/:project/commit/:sha", async (c) => {
  const repo = await repoFor(c);
  const d = await commitDetail(repo, c.req.param("sha"));
  return page(
    c,
    repo,
    d.commit.subject || d.commit.sha.slice(0, 7),
    "commits",
    <>
      <CommitMeta repo={repo} commit={d.commit} />
      <DiffView repo={repo} commit={d.commit} files={d.files} patches={d.patches} truncated={d.truncated} />
    </>,
    // The landing's picture when the commit landed on trunk, else the commit's own.
    await commitOgImage(c, repo.project, d.commit),
  );
});

function RefList({ repo, kind }: { repo: Repo; kind: "branches" | "tags" }) {
  const refs = kind === "branches" ? repo.refs.branches : repo.refs.tags;
  if (refs.length === 0) return <p class="empty">No {kind} yet.</p>;
  return (
    <ul class="list ref-list">
      {refs.map((r) => (
        <li>
          <a href={treeUrl(repo, r.name)}>
            <strong>{r.name}</strong>
          </a>{" "}
          {r.name === repo.refs.defaultBranch && kind === "branches" ? (
            <span class="badge">default</span>
          ) : null}
          <p>
            {r.subject} · updated <TimeAgo date={r.date} /> · <a href={commitsUrl(repo, r.name)}>Commits</a>
          </p>
        </li>
      ))}
    </ul>
  );
}

for (const kind of ["branches", "tags"] as const) {
  browsePages.get(`/:owner/:project/${kind}`, async (c) => {
    const repo = await repoFor(c);
    const title = kind === "branches" ? "Branches" : "Tags";
    return page(
      c,
      repo,
      title,
      kind,
      <>
        <h2>{title}</h2>
        <RefList repo={repo} kind={kind} />
      </>,
    );
  });
}
