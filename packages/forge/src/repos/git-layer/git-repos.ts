// The git layer's pool: one GitRepo per repository directory, at most `maxOpen` of them
// with live processes (the least recently used is closed first), all closed on stop.
// Open pools are known to the module, so that forgetRepo (a repository deleted) reaches them
// all and layerFor can serve callers that only hold a directory.
import { GitRepo, type GitRepoOptions } from "./git-repo.ts";
import { invalidateRefs } from "./ref-cache.ts";
import { dropRepoObjects } from "./repo-reads.ts";

const pools = new Set<GitRepos>();
let fallback: GitRepos | undefined;

export class GitRepos {
  private readonly open = new Map<string, GitRepo>();

  constructor(
    private readonly maxOpen = Number(process.env.MICELIO_GIT_OPEN_REPOS ?? 32),
    private readonly opts: GitRepoOptions = {},
  ) {
    pools.add(this);
  }

  get(dir: string): GitRepo {
    let repo = this.open.get(dir);
    if (repo) this.open.delete(dir);
    else repo = new GitRepo(dir, this.opts);
    this.open.set(dir, repo); // most recently used last
    while (this.open.size > Math.max(1, this.maxOpen)) {
      const [oldest, r] = this.open.entries().next().value as [string, GitRepo];
      this.open.delete(oldest);
      r.close();
    }
    return repo;
  }

  /** Closes the processes of one repository (before it is removed). */
  forget(dir: string) {
    this.open.get(dir)?.close();
    this.open.delete(dir);
  }

  get size() {
    return this.open.size;
  }

  close() {
    for (const r of this.open.values()) r.close();
    this.open.clear();
    pools.delete(this);
  }
}

/**
 * A repository is gone (project deleted): its processes in every pool are closed and its
 * cached refs and objects dropped.
 */
export function forgetRepo(dir: string) {
  for (const pool of pools) pool.forget(dir);
  invalidateRefs(dir);
  dropRepoObjects(dir);
}

/**
 * The GitRepo for a caller that holds one, or only a directory: then the most recently opened
 * pool's (the forge's), else a small pool of this module's.
 */
export function layerFor(src: string | GitRepo): GitRepo {
  if (typeof src !== "string") return src;
  let pool: GitRepos | undefined;
  for (const p of pools) pool = p;
  if (!pool) {
    fallback = new GitRepos(8);
    pool = fallback;
  }
  return pool.get(src);
}
