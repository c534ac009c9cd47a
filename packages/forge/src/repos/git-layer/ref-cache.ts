// Refs resolved in process, cached per repository until something writes refs. Refs are read
// from git's own files (loose refs under refs/ and HEAD, then packed-refs: packed-refs.ts),
// never by starting git; whatever is derived from them (branch lists, resolved names) is
// cached with them. The cache is dropped — never expired — by invalidateRefs(dir), which runs
// on every write path:
//   - every git process that may write refs, when it exits (receive-pack for pushes, fetch for
//     imports and fork syncs, update-ref, symbolic-ref…: any command not known to be read-only),
//     seen through observeGit in repos/git.ts;
//   - GitRepo.updateRefs (landings, session uploads), after each transaction;
//   - forgetRepo (a project deleted).
// onRefsInvalidated lets another module forward invalidations to other processes (and call
// invalidateRefs(dir, "remote") for theirs).
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { observeGit } from "../git.ts";
import { readPackedRefs } from "./packed-refs.ts";

/** Where an invalidation came from: this process, or another one (forwarded to us). */
export type RefsOrigin = "local" | "remote";

interface RepoRefState {
  values: Map<string, Promise<unknown>>;
}

const MAX_REPOS = 512;
const states = new Map<string, RepoRefState>();
const listeners = new Set<(dir: string, origin: RefsOrigin) => void>();
let invalidations = 0;

/** The key of a repository: its absolute directory. */
export const repoKey = (dir: string) => resolve(dir);

/**
 * The value `compute` gives for `key` in repository `dir`, computed once until the repository's
 * refs are invalidated. A computation still running when they are is not kept.
 */
export function cachedForRefs<T>(dir: string, key: string, compute: () => Promise<T>): Promise<T> {
  const k = repoKey(dir);
  let state = states.get(k);
  if (state) {
    states.delete(k);
    states.set(k, state); // most recently used last
  } else {
    state = { values: new Map() };
    states.set(k, state);
    for (const old of states.keys()) {
      if (states.size <= MAX_REPOS) break;
      states.delete(old);
    }
  }
  const hit = state.values.get(key) as Promise<T> | undefined;
  if (hit) return hit;
  const s = state;
  const p = compute();
  s.values.set(key, p);
  p.catch(() => {
    if (s.values.get(key) === p) s.values.delete(key);
  });
  return p;
}

/** Forgets every cached ref of repository `dir` (its refs moved, or may have). */
export function invalidateRefs(dir: string, origin: RefsOrigin = "local") {
  const k = repoKey(dir);
  states.delete(k);
  invalidations++;
  for (const fn of listeners) {
    try {
      fn(k, origin);
    } catch {}
  }
}

/** Calls `fn(dir, origin)` on every invalidation; returns the unsubscribe function. */
export function onRefsInvalidated(fn: (dir: string, origin: RefsOrigin) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** How many invalidations this process has seen (tests). */
export const refInvalidations = () => invalidations;

/** Git commands that never write refs; any other one invalidates its repository on exit. */
const READ_ONLY = new Set(
  "cat-file log rev-list rev-parse ls-tree diff-tree diff blame grep show for-each-ref show-ref merge-base upload-pack pack-objects bundle fsck merge-tree archive count-objects hash-object mktree commit-tree name-rev ls-files verify-pack version config check-ref-format var cherry shortlog".split(
    " ",
  ),
);

/** The subcommand of a git command line and the repository it runs in, if known. */
export function gitTarget(args: readonly string[], cwd?: string): { command: string; dir?: string } {
  let dir = cwd;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-c") i++;
    else if (a === "-C") dir = resolve(dir ?? ".", args[++i] ?? ".");
    else if (a.startsWith("--git-dir=")) dir = resolve(dir ?? ".", a.slice(10));
    else if (!a.startsWith("-")) break;
  }
  const command = args[i] ?? "";
  // Smart HTTP names the repository as the last argument.
  if ((command === "receive-pack" || command === "upload-pack") && args.length > i + 1)
    dir = resolve(dir ?? ".", args[args.length - 1]!);
  return { command, dir };
}

observeGit((e) => {
  if (e.phase !== "exit") return;
  const { command, dir } = gitTarget(e.args, e.cwd);
  if (dir && !READ_ONLY.has(command)) invalidateRefs(dir);
});

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const readText = async (path: string) => {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw err;
  }
};

/** Every ref under `prefix` ("refs/heads/") with the id it names (symbolic refs followed). */
export async function refsUnder(dir: string, prefix: string): Promise<Map<string, string>> {
  // A loose file shadows its packed copy, even when it names nothing (a dangling symref).
  const loose = new Map<string, string | null>();
  const walk = async (rel: string) => {
    let items: import("node:fs").Dirent[];
    try {
      items = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const it of items) {
      const name = `${rel}${it.name}`;
      if (it.isDirectory()) await walk(`${name}/`);
      else if (it.isFile() && !it.name.endsWith(".lock")) {
        loose.set(name, await resolveRef(dir, name));
      }
    }
  };
  // Loose refs first, then packed-refs (git-layer/packed-refs.ts); a loose ref wins.
  await walk(prefix);
  const out = new Map<string, string>();
  for (const [name, oid] of (await readPackedRefs(dir)).refs) if (name.startsWith(prefix)) out.set(name, oid);
  for (const [name, oid] of loose) {
    if (oid) out.set(name, oid);
    else out.delete(name);
  }
  return out;
}

/** The id a full ref name ("refs/heads/main", "HEAD") points at, or null. */
export async function resolveRef(dir: string, name: string, depth = 0): Promise<string | null> {
  if (depth > 5 || name.includes("..") || name.includes("\0")) return null;
  const loose = await readText(join(dir, name));
  if (loose !== undefined) {
    if (loose.startsWith("ref: ")) return resolveRef(dir, loose.slice(5), depth + 1);
    if (OID.test(loose)) return loose;
  }
  return (await readPackedRefs(dir)).refs.get(name) ?? null;
}

/** What HEAD names ("refs/heads/main"), or undefined when it is detached or unreadable. */
export async function symbolicHead(dir: string): Promise<string | undefined> {
  const head = await readText(join(dir, "HEAD"));
  return head?.startsWith("ref: ") ? head.slice(5) : undefined;
}

/** Forgets the cached refs of every repository (another process's messages may be lost). */
export function invalidateAllRefs() {
  for (const k of [...states.keys()]) invalidateRefs(k, "remote");
}
