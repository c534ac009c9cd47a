// The read-only base of a mount: the project's tree at a position, listed lazily by path
// (one tree request per directory, first time only) through the forge remote and its cache.
// After a move (mic sync, a landing) it knows the previous position's root: a directory's
// listing is asked for as a delta from the same directory's cached earlier listing, and its
// blobs that differ from the same path's cached earlier version are hinted to the remote,
// which then asks for them as deltas from that version.
import type { Base } from "./overlay.ts";
import type { Remote, TreeEntry } from "./remote.ts";

export class TreeBase implements Base {
  private readonly dirs = new Map<string, Promise<TreeEntry[] | null>>();
  private readonly before = new Map<string, Promise<TreeEntry[] | null>>();

  constructor(
    readonly remote: Remote,
    readonly root: string,
    /** The root tree of the position the mount stood on before this one, if any. */
    readonly previousRoot?: string,
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
    const cut = path.lastIndexOf("/");
    const parent = path === "" ? null : await this.list(cut < 0 ? "" : path.slice(0, cut));
    const e = parent?.find((x) => x.name === path.slice(cut + 1));
    const sha = path === "" ? this.root : e?.type === "tree" ? e.sha : null;
    if (!sha) return null;
    const moved = this.previousRoot && this.previousRoot !== this.root;
    const was = moved ? await this.earlierSha(path).catch(() => null) : null;
    const entries = await this.remote.tree(sha, was ?? undefined);
    if (moved) await this.hint(path, entries).catch(() => {});
    return entries;
  }

  /** The previous position's tree id at `path`, from cached listings only (no request). */
  private async earlierSha(path: string): Promise<string | null> {
    if (path === "") return this.previousRoot ?? null;
    const cut = path.lastIndexOf("/");
    const parent = await this.earlier(cut < 0 ? "" : path.slice(0, cut));
    const e = parent?.find((x) => x.name === path.slice(cut + 1));
    return e?.type === "tree" ? e.sha : null;
  }

  /** The previous position's listing of `path`, from the cache only (no request). */
  private earlier(path: string): Promise<TreeEntry[] | null> {
    let p = this.before.get(path);
    if (!p) {
      p = this.earlierSha(path).then((sha) => (sha ? this.remote.cachedTree(sha) : null));
      this.before.set(path, p);
    }
    return p;
  }

  private async hint(path: string, entries: TreeEntry[]) {
    const old = await this.earlier(path);
    if (!old) return;
    const was = new Map(old.filter((e) => e.type === "blob").map((e) => [e.name, e.sha]));
    for (const e of entries) {
      const have = e.type === "blob" ? was.get(e.name) : undefined;
      if (have && have !== e.sha && this.remote.cache.has(have)) this.remote.hint(e.sha, have);
    }
  }

  blob(sha: string) {
    return this.remote.blob(sha);
  }
}
