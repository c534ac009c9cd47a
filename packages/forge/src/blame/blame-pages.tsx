// The blame page, /{owner}/{project}/blame/{ref}/{path…}: the file's lines grouped by the
// landing (session) that brought them, or by commit for history without one. Server-rendered,
// works without script; the ref and the path split as on the other code pages.
import type { Context } from "hono";
import { Hono } from "hono";
import { highlightBlob, locate, openRepo } from "../browse/browse-service.ts";
import { Breadcrumbs, RefPicker, RepoHeader } from "../browse/browse-views.tsx";
import { cdnHref } from "../browse/cdn-links.ts";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { blameAssets } from "./blame-assets.ts";
import { blameFile } from "./blame-service.ts";
import { BlameHunks, BlameSummary, plainLines } from "./blame-views.tsx";

export const blamePages = new Hono<AppEnv>();
blamePages.route("/", blameAssets);

blamePages.get("/:owner/:project/blame/:rest{.+}", async (c: Context<AppEnv>) => {
  const forge = c.get("forge");
  const repo = await openRepo(forge, c.get("viewer"), c.req.param("owner")!, c.req.param("project")!);
  const loc = await locate(repo, c.req.param("rest")!);
  const view = await blameFile(forge, repo, loc, c.get("viewer"));
  const hl = await highlightBlob(forge, view.entry, view.text);
  const html = hl.lines.length === view.lines.length ? hl.lines : plainLines(view);
  const p = repo.project;
  if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
  return c.html(
    <Layout
      {...meta(c, `Blame · ${view.loc.path} · ${p.owner_handle}/${p.handle}`, p.description || undefined)}
    >
      <link rel="stylesheet" href="/assets/highlight.css" />
      <link rel="stylesheet" href="/assets/blame.css" />
      <RepoHeader repo={repo} tab="code" />
      <div class="repo-toolbar">
        <RefPicker repo={repo} loc={view.loc} />
        <Breadcrumbs repo={repo} loc={view.loc} />
      </div>
      <h2>
        Blame <span class="hint">by session</span>
      </h2>
      <BlameSummary view={view} rawHref={cdnHref(forge, repo, view.entry)} />
      {view.complete ? null : (
        <div class="notice">
          Finding the landings of some older lines took too long; they show their commit instead.
        </div>
      )}
      {view.lines.length ? <BlameHunks view={view} html={html} /> : <p class="empty">This file is empty.</p>}
    </Layout>,
  );
});
