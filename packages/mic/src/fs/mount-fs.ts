// One mounted project as the NFS programs see it: the overlay (base tree + session changes),
// stable handles, attributes, reads (large base files in ranges from the forge, never whole)
// and the prefetch of a listed directory's small files.
import type { AttrContext } from "./attrs.ts";
import { FsError } from "./fs-error.ts";
import type { Handles } from "./handles.ts";
import type { Node, Overlay } from "./overlay.ts";
import { LARGE_FILE, type Remote } from "./remote.ts";

export const PREFETCH_MAX = 64 * 1024;

export class MountFs {
  prefetches = 0;
  constructor(
    readonly overlay: Overlay,
    readonly handles: Handles,
    readonly remote: Remote,
    readonly attrs: AttrContext,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  pathOf(handle: Buffer): string {
    const path = this.handles.path(handle);
    if (path === undefined) throw new FsError("ESTALE", handle.toString("hex"));
    return path;
  }

  /** The path of `name` in `dir`; "." and ".." as usual, anything with a slash or NUL refused. */
  child(dir: string, name: string): string {
    if (name === ".") return dir;
    if (name === "..") return dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
    if (!name || name.includes("/") || name.includes("\0")) throw new FsError("EINVAL", name);
    return dir ? `${dir}/${name}` : name;
  }

  async read(node: Extract<Node, { kind: "file" }>, offset: number, count: number): Promise<Buffer> {
    if (offset >= node.size) return Buffer.alloc(0);
    if (!node.local && node.blob && node.size >= LARGE_FILE) {
      const end = Math.min(node.size, offset + count) - 1;
      return this.remote.range(node.blob, offset, end);
    }
    return this.overlay.read(node, offset, count);
  }

  /** Fetches, in the background, the blobs of the small files among `nodes` not yet cached. */
  prefetch(nodes: Node[]) {
    const ids = nodes.flatMap((n) =>
      n.kind === "file" && !n.local && n.blob && n.size <= PREFETCH_MAX ? [n.blob] : [],
    );
    if (!ids.length) return;
    this.prefetches++;
    void this.remote.prefetch(ids).catch(this.onError);
  }
}
