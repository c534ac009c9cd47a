// The read-only base of a mount: the project's tree at a position, listed lazily by path
// (one tree request per directory, first time only) through the forge remote and its cache.
import type { Base } from "./overlay.ts";
import type { Remote, TreeEntry } from "./remote.ts";

export class TreeBase implements Base {
  private readonly dirs = new Map<string, Promise<TreeEntry[] | null>>();

  constructor(
    readonly remote: Remote,
    readonly root: string,
  ) {}

  list(path: string): Promise<TreeEntry[] | null> {
    let p = this.dirs.get(path);
    if (!p) {
      p = this.load(path);
      this.dirs.set(path, p);
      p.catch(() => this.dirs.delete(path));
    }
    return p;
  }

  private async load(path: string): Promise<TreeEntry[] | null> {
    if (path === "") return this.remote.tree(this.root);
    const cut = path.lastIndexOf("/");
    const parent = await this.list(cut < 0 ? "" : path.slice(0, cut));
    const e = parent?.find((x) => x.name === path.slice(cut + 1));
    return e?.type === "tree" ? this.remote.tree(e.sha) : null;
  }

  blob(sha: string) {
    return this.remote.blob(sha);
  }
}
