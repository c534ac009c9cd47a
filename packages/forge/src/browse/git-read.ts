// Read-only access to a bare repository: refs, ref + path resolution, trees and blobs, through
// the git layer (repos/git-layer/): refs come from the in-process ref cache (invalidated on
// every write path), objects from the long-lived `cat-file` processes and then from memory,
// so a warm page starts no git process. `read`/`readStream`/`readHead` still run git once (log
// walks, diffs, blame: cold paths whose results are cached by content id). Callers validate
// user input (repos/safe-names.ts) first; here a ref is only ever matched against the refs
// read, object names are full ids we resolved (or 4–64 hex digits), and pathspecs are
// literal (GIT_LITERAL_PATHSPECS), so no user text is read as an option or pathspec magic.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { GitError, git, gitSpawn, gitStream } from "../repos/git.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { layerFor } from "../repos/git-layer/git-repos.ts";
import { cachedForRefs, refsUnder, symbolicHead } from "../repos/git-layer/ref-cache.ts";
import { listTreeObject, peekObject, readObject } from "../repos/git-layer/repo-reads.ts";
import { parseSignature, subjectOf } from "./git-objects.ts";

/** A repository: the forge's GitRepo for it, or its directory (then a pool's GitRepo is used). */
export type RepoSource = string | GitRepo;
const dirOf = (src: RepoSource) => (typeof src === "string" ? src : src.dir);

/** Environment for every read: pathspecs are plain paths, never globs or :(magic). */
export const READ_ENV = { GIT_LITERAL_PATHSPECS: "1" };
const TIMEOUT_MS = 30_000;

export const read = (
  src: RepoSource,
  args: string[],
  opts: { okCodes?: number[]; maxBuffer?: number } = {},
) => git(args, { cwd: dirOf(src), env: READ_ENV, timeoutMs: TIMEOUT_MS, ...opts });

/**
 * Runs git and hands stdout to onData chunk by chunk; onData returning false stops (and kills)
 * git early. Resolves stopped=true when it was stopped (by onData or the time limit).
 */
export async function readStream(
  src: RepoSource,
  args: string[],
  onData: (chunk: Buffer) => boolean | undefined,
  timeoutMs = TIMEOUT_MS,
): Promise<{ stopped: boolean }> {
  const run = await gitStream(args, { cwd: dirOf(src), env: READ_ENV, timeoutMs }, onData);
  if (run.stopped || run.code === 0) return { stopped: run.stopped };
  throw new GitError(
    `git ${args[0]} failed (${run.code}): ${run.stderr.trim().split("\n")[0]}`,
    run.code,
    run.stderr,
  );
}

/** At most maxBytes of a command's output, and whether there was more. */
export async function readHead(src: RepoSource, args: string[], maxBytes: number) {
  const parts: Buffer[] = [];
  let size = 0;
  const { stopped } = await readStream(src, args, (d) => {
    parts.push(d);
    size += d.length;
    return size <= maxBytes;
  });
  const all = Buffer.concat(parts);
  return { data: all.subarray(0, maxBytes), truncated: stopped || all.length > maxBytes };
}

export interface RefInfo {
  name: string;
  kind: "branch" | "tag";
  /** The commit the ref points at (annotated tags peeled). */
  commit: string;
  date: Date;
  subject: string;
}

export interface RepoRefs {
  branches: RefInfo[];
  tags: RefInfo[];
  /** The branch shown by default, or undefined for an empty repository. */
  defaultBranch: string | undefined;
  /** What HEAD names, even if that branch does not exist yet ("main" for a new repository). */
  headName: string;
}

/** One ref's commit, date and subject as `for-each-ref` gives them (tags peeled one level). */
async function refInfo(repo: GitRepo, oid: string) {
  const obj = await readObject(repo, oid);
  if (obj?.type === "commit") {
    const c = parseSignature(obj.data, "committer");
    return { commit: oid, date: c.date, subject: subjectOf(obj.data) };
  }
  if (obj?.type !== "tag") return undefined;
  const head = obj.data.toString("utf8", 0, Math.max(0, obj.data.indexOf("\n\n")));
  const target = /^object ([0-9a-f]{40})$/m.exec(head)?.[1];
  const type = /^type (\w+)$/m.exec(head)?.[1];
  const date = /^tagger /m.test(head) ? parseSignature(obj.data, "tagger").date : new Date(0);
  return type === "commit" && target ? { commit: target, date, subject: subjectOf(obj.data) } : undefined;
}

/**
 * Branches and tags (newest first, as `for-each-ref --sort=-creatordate`), and the default
 * branch: HEAD's, else main, master, any. Read in process and cached until refs change.
 */
export function listRefs(src: RepoSource): Promise<RepoRefs> {
  const repo = layerFor(src);
  return cachedForRefs(repo.dir, "list", async () => {
    const [heads, tags, head] = await Promise.all([
      refsUnder(repo.dir, "refs/heads/"),
      refsUnder(repo.dir, "refs/tags/"),
      symbolicHead(repo.dir),
    ]);
    const all: { refname: string; kind: RefInfo["kind"]; oid: string }[] = [
      ...[...heads].map(([refname, oid]) => ({ refname, kind: "branch" as const, oid })),
      ...[...tags].map(([refname, oid]) => ({ refname, kind: "tag" as const, oid })),
    ];
    const infos = await Promise.all(all.map((r) => refInfo(repo, r.oid)));
    const rows = all
      .map((r, i) => ({ ...r, info: infos[i] }))
      .filter((r) => r.info)
      .sort(
        (a, b) =>
          b.info!.date.getTime() - a.info!.date.getTime() ||
          (a.refname < b.refname ? -1 : a.refname > b.refname ? 1 : 0),
      );
    const branches: RefInfo[] = [];
    const tagList: RefInfo[] = [];
    for (const r of rows) {
      const name = r.refname.slice(r.kind === "branch" ? 11 : 10);
      (r.kind === "branch" ? branches : tagList).push({ name, kind: r.kind, ...r.info! });
    }
    const headName = head?.startsWith("refs/heads/") ? head.slice(11) : "main";
    const names = new Set(branches.map((b) => b.name));
    const defaultBranch = [headName, "main", "master"].find((n) => names.has(n)) ?? branches[0]?.name;
    if (defaultBranch) {
      const i = branches.findIndex((b) => b.name === defaultBranch);
      branches.unshift(...branches.splice(i, 1));
    }
    return { branches, tags: tagList, defaultBranch, headName };
  });
}

/**
 * The commit an id (full or abbreviated, 4–64 hex digits) names, or undefined. In a fork,
 * which borrows its parent's objects (objects/info/alternates), only a commit its own refs
 * reach: the parent's later commits, maybe private by now, are not the fork's to show.
 * Answers found are kept with the refs (the reachability they depend on moves with them).
 */
export async function resolveCommitId(src: RepoSource, id: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,64}$/i.test(id)) return undefined;
  const repo = layerFor(src);
  const known = await cachedForRefs(repo.dir, "commit-ids", async () => new Map<string, string>());
  const hit = known.get(id);
  if (hit) return hit;
  const sha = (await repo.resolveCommit(id)) ?? undefined;
  if (!sha) return undefined;
  const borrows = existsSync(join(repo.dir, "objects", "info", "alternates"));
  if (borrows && !(await reachable(repo.dir, sha))) return undefined;
  if (known.size < 10_000) known.set(id, sha);
  return sha;
}

/** Whether some ref of the repository reaches the commit (nothing left once they are excluded). */
async function reachable(dir: string, sha: string): Promise<boolean> {
  const out = await read(dir, ["rev-list", "-n", "1", sha, "--not", "--all"]);
  return out.toString("utf8").trim() === "";
}

export interface Location {
  /** The ref as written in the URL: a branch, a tag, or a commit id. */
  ref: string;
  kind: "branch" | "tag" | "commit";
  commit: string;
  /** The rest of the URL: a path inside the repository ("" for the root). */
  path: string;
}

/**
 * Splits "feature/x/src/app.ts" into a ref and a path: the longest leading run of segments
 * that names a branch (preferred) or tag, else `HEAD` (the default branch, as on GitHub:
 * `/blob/HEAD/README.md` works whatever trunk is called), else a commit id in the first segment.
 */
export async function resolveRefPath(
  src: RepoSource,
  rest: string,
  refs: RepoRefs,
): Promise<Location | undefined> {
  const segments = rest.split("/");
  const first = segments[0] ?? "";
  const at = (n: number) => ({ ref: segments.slice(0, n).join("/"), path: segments.slice(n).join("/") });
  if (/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(first)) {
    const commit = await resolveCommitId(src, first);
    if (commit) return { ...at(1), kind: "commit", commit };
  }
  const byName = new Map<string, RefInfo>();
  for (const r of [...refs.tags, ...refs.branches]) byName.set(r.name, r); // a branch wins a tie
  for (let n = segments.length; n >= 1; n--) {
    const found = byName.get(segments.slice(0, n).join("/"));
    if (found) return { ...at(n), kind: found.kind, commit: found.commit };
  }
  const trunk = refs.defaultBranch ? byName.get(refs.defaultBranch) : undefined;
  if (first === "HEAD" && trunk?.kind === "branch")
    return { ref: trunk.name, path: at(1).path, kind: "branch", commit: trunk.commit };
  const commit = await resolveCommitId(src, first);
  return commit ? { ...at(1), kind: "commit", commit } : undefined;
}

export type EntryType = "tree" | "blob" | "commit";

export interface TreeEntry {
  name: string;
  /** Path from the repository root. */
  path: string;
  type: EntryType;
  mode: string;
  oid: string;
  /** Blob size in bytes; null for trees and submodules. */
  size: number | null;
}

export const isSymlink = (e: Pick<TreeEntry, "mode">) => e.mode === "120000";

const typeOrder = { tree: 0, commit: 1, blob: 2 } as const;

/** The root tree of a commit, or undefined. */
async function rootTree(repo: GitRepo, commit: string): Promise<string | undefined> {
  const obj = await readObject(repo, commit);
  if (obj?.type !== "commit") return undefined;
  return /^tree ([0-9a-f]{40})/.exec(obj.data.toString("latin1", 0, 46))?.[1];
}

/** The id of the tree at `path` in `commit`, or undefined when there is no directory there. */
async function treeAt(repo: GitRepo, commit: string, path: string): Promise<string | undefined> {
  let tree = await rootTree(repo, commit);
  for (const name of path ? path.split("/") : []) {
    if (!tree) return undefined;
    const entries = await listTreeObject(repo, tree);
    const e = entries?.find((x) => x.name === name);
    tree = e?.type === "tree" ? e.oid : undefined;
  }
  return tree;
}

/** The entries of the directory at `path` (directories first), or undefined if it isn't one. */
export async function listTree(
  src: RepoSource,
  commit: string,
  path: string,
): Promise<TreeEntry[] | undefined> {
  const repo = layerFor(src);
  const tree = await treeAt(repo, commit, path);
  const entries = tree ? await listTreeObject(repo, tree) : null;
  if (!entries) return undefined;
  return entries
    .map((e) => ({
      name: e.name,
      path: path ? `${path}/${e.name}` : e.name,
      type: e.type,
      mode: e.mode,
      oid: e.oid,
      size: e.size,
    }))
    .sort((a, b) => typeOrder[a.type] - typeOrder[b.type]);
}

/** The entry at `path` (its mode, type, id and size), or undefined when nothing is there. */
export async function statPath(
  src: RepoSource,
  commit: string,
  path: string,
): Promise<TreeEntry | undefined> {
  if (path === "") {
    const oid = await rootTree(layerFor(src), commit);
    return oid ? { name: "", path: "", type: "tree", mode: "040000", oid, size: null } : undefined;
  }
  const slash = path.lastIndexOf("/");
  const parent = slash < 0 ? "" : path.slice(0, slash);
  const entries = await listTree(src, commit, parent);
  return entries?.find((e) => e.path === path);
}

/** Blobs up to this size are read whole through the layer; larger ones stream from git. */
const LAYER_BLOB_BYTES = 16 * 1024 * 1024;

/** A blob's bytes, at most maxBytes of them. */
export async function readBlob(
  src: RepoSource,
  oid: string,
  maxBytes: number,
): Promise<{ data: Buffer; truncated: boolean }> {
  const repo = layerFor(src);
  const cached = peekObject(repo, oid);
  if (cached?.type === "blob")
    return { data: cached.data.subarray(0, maxBytes), truncated: cached.data.length > maxBytes };
  const info = await repo.info(oid);
  if (info?.type !== "blob") throw new GitError(`not a blob: ${oid}`, 128, "");
  if (info.size > LAYER_BLOB_BYTES) return readHead(repo.dir, ["cat-file", "blob", oid], maxBytes);
  const obj = await readObject(repo, info.oid);
  if (obj?.type !== "blob") throw new GitError(`not a blob: ${oid}`, 128, "");
  return { data: obj.data.subarray(0, maxBytes), truncated: obj.data.length > maxBytes };
}

/** Git's own test: a NUL byte in the first 8000 bytes means binary. */
export const isBinary = (head: Uint8Array) => head.subarray(0, 8000).includes(0);

/** Starts streaming a blob (for large raw downloads); kill the child to stop early. */
export const spawnBlob = (src: RepoSource, oid: string) =>
  gitSpawn(["cat-file", "blob", oid], { cwd: dirOf(src), env: READ_ENV });
