// Read-only access to a bare repository through the git CLI: refs, ref + path resolution,
// trees and blobs. Callers validate user input (repos/safe-names.ts) first; here a ref is
// only ever matched against for-each-ref output or passed after --end-of-options, object
// names are full ids we resolved, and pathspecs are literal (GIT_LITERAL_PATHSPECS), so no
// user text is read as an option, a revision expression or pathspec magic.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { GitError, git, gitSpawn, gitStream } from "../repos/git.ts";

/** Environment for every read: pathspecs are plain paths, never globs or :(magic). */
export const READ_ENV = { GIT_LITERAL_PATHSPECS: "1" };
const TIMEOUT_MS = 30_000;

export const read = (dir: string, args: string[], opts: { okCodes?: number[]; maxBuffer?: number } = {}) =>
  git(args, { cwd: dir, env: READ_ENV, timeoutMs: TIMEOUT_MS, ...opts });

/**
 * Runs git and hands stdout to onData chunk by chunk; onData returning false stops (and kills)
 * git early. Resolves stopped=true when it was stopped (by onData or the time limit).
 */
export async function readStream(
  dir: string,
  args: string[],
  onData: (chunk: Buffer) => boolean | undefined,
  timeoutMs = TIMEOUT_MS,
): Promise<{ stopped: boolean }> {
  const run = await gitStream(args, { cwd: dir, env: READ_ENV, timeoutMs }, onData);
  if (run.stopped || run.code === 0) return { stopped: run.stopped };
  throw new GitError(
    `git ${args[0]} failed (${run.code}): ${run.stderr.trim().split("\n")[0]}`,
    run.code,
    run.stderr,
  );
}

/** At most maxBytes of a command's output, and whether there was more. */
export async function readHead(dir: string, args: string[], maxBytes: number) {
  const parts: Buffer[] = [];
  let size = 0;
  const { stopped } = await readStream(dir, args, (d) => {
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

const REF_FORMAT = [
  "%(refname)",
  "%(objecttype)",
  "%(objectname)",
  "%(*objecttype)",
  "%(*objectname)",
  "%(creatordate:unix)",
  "%(contents:subject)",
].join("%00");

/** Branches and tags (newest first), and the default branch: HEAD's, else main, master, any. */
export async function listRefs(dir: string): Promise<RepoRefs> {
  const [out, head] = await Promise.all([
    read(dir, ["for-each-ref", `--format=${REF_FORMAT}`, "--sort=-creatordate", "refs/heads/", "refs/tags/"]),
    read(dir, ["symbolic-ref", "--quiet", "HEAD"], { okCodes: [1] }),
  ]);
  const branches: RefInfo[] = [];
  const tags: RefInfo[] = [];
  for (const line of out.toString("utf8").split("\n")) {
    if (!line) continue;
    const [refname, type, oid, peeledType, peeled, date, subject] = line.split("\0");
    const commit = type === "commit" ? oid : peeledType === "commit" ? peeled : undefined;
    if (!commit || !refname) continue;
    const info = { commit, date: new Date(Number(date) * 1000), subject: subject ?? "" };
    if (refname.startsWith("refs/heads/"))
      branches.push({ name: refname.slice(11), kind: "branch", ...info });
    else if (refname.startsWith("refs/tags/")) tags.push({ name: refname.slice(10), kind: "tag", ...info });
  }
  const headRef = head.toString("utf8").trim();
  const headName = headRef.startsWith("refs/heads/") ? headRef.slice(11) : "main";
  const names = new Set(branches.map((b) => b.name));
  const defaultBranch = [headName, "main", "master"].find((n) => names.has(n)) ?? branches[0]?.name;
  if (defaultBranch) {
    const i = branches.findIndex((b) => b.name === defaultBranch);
    branches.unshift(...branches.splice(i, 1));
  }
  return { branches, tags, defaultBranch, headName };
}

/**
 * The commit an id (full or abbreviated, 4–64 hex digits) names, or undefined. In a fork,
 * which borrows its parent's objects (objects/info/alternates), only a commit its own refs
 * reach: the parent's later commits, maybe private by now, are not the fork's to show.
 */
export async function resolveCommitId(dir: string, id: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,64}$/i.test(id)) return undefined;
  const out = await read(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${id}^{commit}`], {
    okCodes: [1, 128],
  });
  const sha = out.toString("utf8").trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) return undefined;
  const borrows = existsSync(join(dir, "objects", "info", "alternates"));
  return !borrows || (await reachable(dir, sha)) ? sha : undefined;
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
 * that names a branch (preferred) or tag, else a commit id in the first segment.
 */
export async function resolveRefPath(
  dir: string,
  rest: string,
  refs: RepoRefs,
): Promise<Location | undefined> {
  const segments = rest.split("/");
  const first = segments[0] ?? "";
  const at = (n: number) => ({ ref: segments.slice(0, n).join("/"), path: segments.slice(n).join("/") });
  if (/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(first)) {
    const commit = await resolveCommitId(dir, first);
    if (commit) return { ...at(1), kind: "commit", commit };
  }
  const byName = new Map<string, RefInfo>();
  for (const r of [...refs.tags, ...refs.branches]) byName.set(r.name, r); // a branch wins a tie
  for (let n = segments.length; n >= 1; n--) {
    const found = byName.get(segments.slice(0, n).join("/"));
    if (found) return { ...at(n), kind: found.kind, commit: found.commit };
  }
  const commit = await resolveCommitId(dir, first);
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

function parseTree(out: Buffer, dirPath: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.toString("utf8").split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    const name = record.slice(tab + 1);
    if (type !== "tree" && type !== "blob" && type !== "commit") continue;
    entries.push({
      name,
      path: dirPath ? `${dirPath}/${name}` : name,
      type,
      mode: mode ?? "",
      oid: oid ?? "",
      size: size === "-" || size === undefined ? null : Number(size),
    });
  }
  return entries;
}

const typeOrder = { tree: 0, commit: 1, blob: 2 } as const;

/** The entries of the directory at `path` (directories first), or undefined if it isn't one. */
export async function listTree(dir: string, commit: string, path: string): Promise<TreeEntry[] | undefined> {
  let out: Buffer;
  try {
    out = await read(dir, ["ls-tree", "-z", "--long", "--end-of-options", `${commit}:${path}`]);
  } catch (err) {
    if (err instanceof GitError && err.code === 128) return undefined; // missing, or not a directory
    throw err;
  }
  return parseTree(out, path).sort((a, b) => typeOrder[a.type] - typeOrder[b.type]);
}

/** The entry at `path` (its mode, type, id and size), or undefined when nothing is there. */
export async function statPath(dir: string, commit: string, path: string): Promise<TreeEntry | undefined> {
  if (path === "") {
    const out = await read(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${commit}^{tree}`]);
    return { name: "", path: "", type: "tree", mode: "040000", oid: out.toString("utf8").trim(), size: null };
  }
  const slash = path.lastIndexOf("/");
  const parent = slash < 0 ? "" : path.slice(0, slash);
  const entries = await listTree(dir, commit, parent);
  return entries?.find((e) => e.path === path);
}

/** A blob's bytes, at most maxBytes of them. */
export const readBlob = (dir: string, oid: string, maxBytes: number) =>
  readHead(dir, ["cat-file", "blob", oid], maxBytes);

/** Git's own test: a NUL byte in the first 8000 bytes means binary. */
export const isBinary = (head: Uint8Array) => head.subarray(0, 8000).includes(0);

/** Starts streaming a blob (for large raw downloads); kill the child to stop early. */
export const spawnBlob = (dir: string, oid: string) =>
  gitSpawn(["cat-file", "blob", oid], { cwd: dir, env: READ_ENV });
