// Code browsing service: who may read (viewProject: private projects are 404 to outsiders),
// validation of every ref and path taken from a URL, and the read cache — a file's code view
// HTML, rendered markdown and per-directory last commits are cached by content id (blob or
// commit id), never by ref name, in one render cache per forge ($DATA/cache/render: a
// byte-capped memory LRU in front of disk). The access check always runs first: a cache is
// only asked for ids read from the project's own refs and trees. Repository reads go through
// the forge's git layer (Repo.git), so a warm page starts no git process.
import { join } from "node:path";
import type { Viewer } from "../accounts/viewer.ts";
import { notFound } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import type { ProjectRole } from "../projects/access.ts";
import { type ProjectWithOwner, viewProject } from "../projects/projects-service.ts";
import {
  createRenderCache,
  detectLanguage,
  escapeHtml,
  type HighlightedFile,
  highlightFile,
  type RenderCache,
  renderMarkdownHighlighted,
} from "../render/index.ts";
import { ByteLru } from "../repos/git-layer/byte-lru.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { assertSafePath, assertSafeRef } from "../repos/safe-names.ts";
import { cdnImages } from "./cdn-links.ts";
import { codeTableHtml } from "./code-view-html.ts";
import {
  type CommitInfo,
  type CommitSummary,
  commitChanges,
  commitPatch,
  getCommit,
  listCommits,
} from "./git-history.ts";
import {
  isBinary,
  type Location,
  listRefs,
  listTree,
  type RepoRefs,
  readBlob,
  resolveRefPath,
  statPath,
  type TreeEntry,
} from "./git-read.ts";
import { cachedLastCommits } from "./last-commits.ts";

/** Files larger than this are not shown inline (pages link to the raw file instead). */
export const MAX_VIEW_BYTES = 1024 * 1024;
/** Largest patch read for one commit (the rest is summarized as truncated). */
export const MAX_PATCH_BYTES = 1024 * 1024;
const CACHE_MEMORY_BYTES = 64 * 1024 * 1024;

const caches = new WeakMap<Forge, RenderCache>();

/** The forge's render cache (memory LRU in front of $DATA/cache/render). */
export function renderCache(forge: Forge): RenderCache {
  let cache = caches.get(forge);
  if (!cache) {
    cache = createRenderCache({
      dir: join(forge.config.dataDir, "cache", "render"),
      maxMemoryBytes: CACHE_MEMORY_BYTES,
    });
    caches.set(forge, cache);
  }
  return cache;
}

export interface Repo {
  project: ProjectWithOwner;
  role: ProjectRole;
  dir: string;
  /** The repository in the forge's git layer. */
  git: GitRepo;
  /** URL prefix of the project's pages: "/owner/project". */
  base: string;
  refs: RepoRefs;
}

const NO_REFS: RepoRefs = { branches: [], tags: [], defaultBranch: undefined, headName: "main" };

/** Opens a project's repository for reading, if the viewer may read the project. */
export async function openRepo(forge: Forge, viewer: Viewer, owner: string, handle: string): Promise<Repo> {
  const { project, role } = await viewProject(forge.db, viewer, owner, handle);
  return repoOf(forge, project, role);
}

/** The repository of a project the caller has already checked read access to. */
export async function repoOf(forge: Forge, project: ProjectWithOwner, role: ProjectRole): Promise<Repo> {
  const exists = forge.repos.exists(project.id);
  const dir = forge.repos.dir(project.id);
  return {
    project,
    role,
    dir,
    git: forge.git.get(dir),
    base: `/${project.owner_handle}/${project.handle}`,
    refs: exists ? await listRefs(forge.git.get(dir)) : NO_REFS,
  };
}

const noRef = () => notFound("No such branch, tag or commit");

/** "ref/path…" from a URL: validated (400 for "..", NUL, leading "-" or "/"), then resolved. */
export async function locate(repo: Repo, rest: string): Promise<Location> {
  const clean = assertSafePath(rest);
  if (!clean) throw noRef();
  const loc = await resolveRefPath(repo.git, clean, repo.refs);
  if (!loc) {
    assertSafeRef(clean.split("/", 1)[0]!);
    throw noRef();
  }
  assertSafeRef(loc.ref);
  return loc;
}

/** Exactly one ref (no path after it); the default branch when absent. */
export async function locateRef(repo: Repo, ref: string | undefined): Promise<Location | undefined> {
  if (ref === undefined || ref === "") {
    const name = repo.refs.defaultBranch;
    if (!name) return undefined;
    return { ref: name, kind: "branch", commit: repo.refs.branches[0]!.commit, path: "" };
  }
  assertSafeRef(ref);
  const loc = await resolveRefPath(repo.git, ref, repo.refs);
  if (loc?.path !== "") throw noRef();
  return loc;
}

export const checkPath = (path: string | undefined) => (path ? assertSafePath(path) : "");

export interface DirectoryView {
  entries: TreeEntry[];
  last: Map<string, CommitSummary>;
}

/** A directory's entries with their last commits; undefined when `path` isn't a directory. */
export async function readDirectory(
  forge: Forge,
  repo: Repo,
  loc: Location,
): Promise<DirectoryView | undefined> {
  const entries = await listTree(repo.git, loc.commit, loc.path);
  if (!entries) return undefined;
  const last = await cachedLastCommits(renderCache(forge), repo.git, loc.commit, loc.path, entries);
  return { entries, last };
}

export interface FileView {
  entry: TreeEntry;
  /** The bytes, when the file is at most the size limit given. */
  content?: Buffer;
  binary: boolean;
  tooLarge: boolean;
}

/** The entry at a location (404 when missing); for a blob, its content up to maxBytes. */
export async function readEntry(repo: Repo, loc: Location, maxBytes = MAX_VIEW_BYTES): Promise<FileView> {
  const entry = await statPath(repo.git, loc.commit, loc.path);
  if (!entry) throw notFound("No such file or directory");
  if (entry.type !== "blob") return { entry, binary: false, tooLarge: false };
  const tooLarge = (entry.size ?? 0) > maxBytes;
  const { data } = await readBlob(repo.git, entry.oid, tooLarge ? 8000 : maxBytes);
  return { entry, content: tooLarge ? undefined : data, binary: isBinary(data), tooLarge };
}

export interface CodeView {
  html: string;
  /** The HTML as UTF-8, ready to go out as it is (no re-encoding of a large page per view). */
  bytes: Buffer;
  lineCount: number;
  language: string;
}

/** Code tables kept encoded, by blob id and language (bytes-capped: MICELIO_CODE_VIEW_BYTES). */
const codeViews = new ByteLru<CodeView>(Number(process.env.MICELIO_CODE_VIEW_BYTES ?? 64 * 1024 * 1024));

/** The code table of a text blob (its HTML, line count and language), cached by blob id and language. */
export async function codeView(forge: Forge, entry: TreeEntry, text: string): Promise<CodeView> {
  const key = `${entry.oid}:code-table:v1:${detectLanguage(entry.path)}`;
  const memo = `${forge.config.dataDir}\0${key}`;
  const hit = codeViews.get(memo);
  if (hit) return hit;
  const value = await renderCache(forge).getOrCompute(key, async () => {
    const hl = await highlightBlob(forge, entry, text);
    return `${hl.lines.length}\n${hl.language}\n${codeTableHtml(hl.lines)}`;
  });
  const a = value.indexOf("\n");
  const b = value.indexOf("\n", a + 1);
  const html = value.slice(b + 1);
  const view = {
    lineCount: Number(value.slice(0, a)),
    language: value.slice(a + 1, b),
    html,
    bytes: Buffer.from(html, "utf8"),
  };
  codeViews.set(memo, view, view.bytes.length + html.length * 2);
  return view;
}

/** Highlighted lines of a text blob, cached by blob id and language. */
export async function highlightBlob(forge: Forge, entry: TreeEntry, text: string): Promise<HighlightedFile> {
  const key = `${entry.oid}:highlight:v1:${detectLanguage(entry.path)}`;
  const json = await renderCache(forge).getOrCompute(key, async () =>
    JSON.stringify(await highlightFile(entry.path, text)),
  );
  return JSON.parse(json) as HighlightedFile;
}

export const isMarkdown = (path: string) => /\.(md|markdown|mdown|mkdn|mkd)$/i.test(path);

/**
 * Sanitized HTML of a markdown blob, links resolved for the ref it is shown at; cached. With a
 * CDN, its images of repository files are then pointed there (cdn-links.ts; after the cache,
 * as a private project's URLs are signed for minutes).
 */
export async function renderMarkdownBlob(
  forge: Forge,
  repo: Repo,
  loc: Location,
  entry: TreeEntry,
  text: string,
): Promise<string> {
  const ref = encodeRef(loc.ref);
  const ctx = { linkBase: `${repo.base}/blob/${ref}`, rawBase: `${repo.base}/raw/${ref}`, path: entry.path };
  const key = `${entry.oid}:markdown:v1:${ctx.linkBase}\n${ctx.rawBase}\n${ctx.path}`;
  const html = await renderCache(forge).getOrCompute(key, () => renderMarkdownHighlighted(text, ctx));
  return cdnImages(forge, repo, loc.commit, ctx.rawBase, html);
}

export const README = /^readme(\.(md|markdown|mdown|mkdn|txt|rst|adoc|org))?$/i;

/** The directory's README rendered to safe HTML, or undefined when there is none. */
export async function renderReadme(
  forge: Forge,
  repo: Repo,
  loc: Location,
  entries: TreeEntry[],
): Promise<{ entry: TreeEntry; html: string } | undefined> {
  const candidates = entries.filter((e) => e.type === "blob" && README.test(e.name) && e.mode !== "120000");
  const entry = candidates.find((e) => isMarkdown(e.name)) ?? candidates[0];
  if (!entry || (entry.size ?? 0) > MAX_VIEW_BYTES) return undefined;
  const { data } = await readBlob(repo.git, entry.oid, MAX_VIEW_BYTES);
  if (isBinary(data)) return undefined;
  const text = data.toString("utf8");
  const html = isMarkdown(entry.name)
    ? await renderMarkdownBlob(forge, repo, loc, entry, text)
    : `<pre>${escapeHtml(text)}</pre>`;
  return { entry, html };
}

/** Commits from a location, `perPage` per page (1-based); one extra tells whether there are more. */
export async function commitPage(repo: Repo, loc: Location, path: string, page: number, perPage: number) {
  const rows = await listCommits(repo.git, loc.commit, {
    path: path || undefined,
    skip: (page - 1) * perPage,
    limit: perPage + 1,
  });
  return { commits: rows.slice(0, perPage), hasMore: rows.length > perPage };
}

/** A commit (by id or ref) with its changed files and patch (capped). */
export async function commitDetail(repo: Repo, ref: string, maxPatchBytes = MAX_PATCH_BYTES) {
  const loc = await locateRef(repo, ref);
  const commit: CommitInfo | undefined = loc && (await getCommit(repo.git, loc.commit));
  if (!commit) throw notFound("No such commit");
  const [files, patch] = await Promise.all([
    commitChanges(repo.git, commit),
    commitPatch(repo.git, commit, maxPatchBytes),
  ]);
  return { commit, files, patches: patch.files, truncated: patch.truncated };
}

/** A ref for a URL: each segment encoded, slashes kept ("feature/x" stays readable). */
export const encodeRef = (ref: string) => ref.split("/").map(encodeURIComponent).join("/");
export const encodePath = encodeRef;
