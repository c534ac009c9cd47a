// New objects held in memory until they are written together, as one pack (GitRepo.writeMany).
// An epoch's: each session's spliced trees and its commit get their ids at once (SHA-1, no
// I/O), later sessions of the epoch read those trees from here, and all of them are written
// just before the compare-and-swap. A PUT's: its blobs, trees and commit, before its ref moves. The serial part of an epoch — each session spliced
// onto the one before — thus waits on no disk or git process, only on trunk trees it has
// never read (which the git layer keeps in memory once read).
import type { GitRepo } from "./git-repo.ts";
import { EMPTY_TREE, type ObjectType, objectId, parseTree, type TreeEntry } from "./objects.ts";

/** Reads trees and writes objects: a GitRepo, or staged objects on top of one. */
export interface ObjectStore {
  readTree(oid: string): Promise<TreeEntry[]>;
  write(type: ObjectType, data: Buffer): Promise<string>;
}

export class StagedObjects implements ObjectStore {
  private readonly staged = new Map<string, { type: ObjectType; data: Buffer }>();

  constructor(private readonly repo: GitRepo) {}

  /** The object's id; the object is kept here until flush(). */
  async write(type: ObjectType, data: Buffer): Promise<string> {
    const oid = objectId(type, data);
    if (!this.staged.has(oid)) this.staged.set(oid, { type, data });
    return oid;
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    if (oid === EMPTY_TREE) return [];
    const held = this.staged.get(oid);
    if (held?.type === "tree") return parseTree(held.data);
    return this.repo.readTree(oid);
  }

  get size() {
    return this.staged.size;
  }

  /** Writes every staged object into the repository (before any ref points at them). */
  async flush(): Promise<void> {
    const all = [...this.staged.values()];
    this.staged.clear();
    await this.repo.writeMany(all);
  }
}
