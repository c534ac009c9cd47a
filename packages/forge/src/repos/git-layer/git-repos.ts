// The git layer's pool: one GitRepo per repository directory, at most `maxOpen` of them
// with live processes (the least recently used is closed first), all closed on stop.
import { GitRepo, type GitRepoOptions } from "./git-repo.ts";

export class GitRepos {
  private readonly open = new Map<string, GitRepo>();

  constructor(
    private readonly maxOpen = Number(process.env.MICELIO_GIT_OPEN_REPOS ?? 32),
    private readonly opts: GitRepoOptions = {},
  ) {}

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
  }
}
