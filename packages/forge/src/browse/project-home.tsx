// The code part of a project's home page: the default branch's file tree and rendered
// README, or, for an empty repository, the clone URL and the commands to push to it.
// Called by the project page (projects/project-pages.tsx) after its access check.

import type { Context } from "hono";
import { raw } from "hono/html";
import type { AppEnv } from "../http/context.ts";
import type { ProjectRole } from "../projects/access.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { locateRef, type Repo, readDirectory, renderReadme, repoOf } from "./browse-service.ts";
import { blobUrl, CloneBox, EmptyRepo, FileList, RefPicker, RepoTabs } from "./browse-views.tsx";
import type { Location, TreeEntry } from "./git-read.ts";

export function ReadmeCard(props: { repo: Repo; loc: Location; readme: { entry: TreeEntry; html: string } }) {
  const { repo, loc, readme } = props;
  return (
    <section class="card readme" aria-labelledby="readme-title">
      <h2 id="readme-title" class="readme-title">
        <a href={blobUrl(repo, loc.ref, readme.entry.path)}>{readme.entry.name}</a>
      </h2>
      <article class="markdown">{raw(readme.html)}</article>
    </section>
  );
}

/** The clone URL: the configured public URL, else the origin the request came to. */
export function cloneUrl(c: Context<AppEnv>, p: ProjectWithOwner): string {
  const origin = (c.get("forge").config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
  return `${origin}/${p.owner_handle}/${p.handle}.git`;
}

/** The body of /{owner}/{project} below the project header. */
export async function projectHome(c: Context<AppEnv>, p: ProjectWithOwner, role: ProjectRole) {
  const forge = c.get("forge");
  const repo = await repoOf(forge, p, role);
  if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
  const url = cloneUrl(c, p);
  const description = (
    <div class="repo-about">
      <h2>{p.name}</h2>
      {p.description ? <p class="repo-description">{p.description}</p> : null}
    </div>
  );
  const loc = await locateRef(repo, undefined);
  if (!loc) {
    return (
      <>
        <link rel="stylesheet" href="/assets/highlight.css" />
        {description}
        <RepoTabs repo={repo} tab="code" />
        <EmptyRepo url={url} branch={repo.refs.headName} />
      </>
    );
  }
  const dir = await readDirectory(forge, repo, loc);
  const readme = dir ? await renderReadme(forge, repo, loc, dir.entries) : undefined;
  return (
    <>
      <link rel="stylesheet" href="/assets/highlight.css" />
      {description}
      <RepoTabs repo={repo} tab="code" />
      <div class="repo-toolbar">
        <RefPicker repo={repo} loc={loc} />
        <CloneBox url={url} />
      </div>
      {dir ? <FileList repo={repo} loc={loc} dir={dir} /> : null}
      {readme ? <ReadmeCard repo={repo} loc={loc} readme={readme} /> : null}
    </>
  );
}
