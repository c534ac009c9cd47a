// The tree a validation runs on: the session's change spliced onto trunk's current tree
// (the merge the landing would make, built in memory as the lander builds it), written
// into the sandbox's fresh work directory file by file through the git layer. Names git
// would refuse ("", ".", "..", with "/") are refused here too; submodules are left out;
// the whole tree is capped in bytes so a huge tree fails the run instead of the disk.
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SessionChange } from "../landing/session-read.ts";
import { spliceTree } from "../landing/splice.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { isTreeMode } from "../repos/git-layer/objects.ts";
import { StagedObjects } from "../repos/git-layer/staged-objects.ts";
import { CHECKS_PATH } from "./checks-config.ts";

export class TreeTooLarge extends Error {}

/** The merged tree's id and a reader of its entries (new trees live only in memory). */
export async function mergedTree(repo: GitRepo, trunkTree: string | null, change: SessionChange) {
  const staged = new StagedObjects(repo);
  const merged = await spliceTree(staged, trunkTree, change.changes);
  return { tree: merged.tree, conflicts: merged.conflicts, staged };
}

/** The blob id at `path` in `tree`, or null. */
export async function blobAt(reader: Pick<StagedObjects, "readTree">, tree: string, path: string) {
  let at = tree;
  const parts = path.split("/");
  for (const [i, part] of parts.entries()) {
    const entry = (await reader.readTree(at)).find((e) => e.name === part);
    if (!entry) return null;
    if (i === parts.length - 1) return isTreeMode(entry.mode) ? null : entry.oid;
    if (!isTreeMode(entry.mode)) return null;
    at = entry.oid;
  }
  return null;
}

/** Trunk's checks.yml blob id in a tree, or null. */
export const checksBlobIn = (reader: Pick<StagedObjects, "readTree">, tree: string) =>
  blobAt(reader, tree, CHECKS_PATH);

const SAFE_NAME = (n: string) => n !== "" && n !== "." && n !== ".." && !n.includes("/") && !n.includes("\0");

/** Writes `tree` into `dir` (which must exist and be empty); at most `maxBytes` of content. */
export async function writeTree(
  repo: GitRepo,
  reader: Pick<StagedObjects, "readTree">,
  tree: string,
  dir: string,
  maxBytes: number,
) {
  let bytes = 0;
  const walk = async (oid: string, into: string) => {
    for (const entry of await reader.readTree(oid)) {
      if (!SAFE_NAME(entry.name))
        throw new Error(`refusing the tree entry name ${JSON.stringify(entry.name)}`);
      const path = join(into, entry.name);
      if (isTreeMode(entry.mode)) {
        await mkdir(path);
        await walk(entry.oid, path);
        continue;
      }
      if (entry.mode === "160000") continue;
      const blob = (await repo.readType(entry.oid, "blob")).data;
      bytes += blob.length;
      if (bytes > maxBytes)
        throw new TreeTooLarge(`the tree is larger than the sandbox's disk (${maxBytes} bytes)`);
      if (entry.mode === "120000") await symlink(blob.toString("utf8"), path);
      else {
        await writeFile(path, blob, { flag: "wx" });
        if (entry.mode === "100755") await chmod(path, 0o755);
      }
    }
  };
  await walk(tree, dir);
  return bytes;
}
