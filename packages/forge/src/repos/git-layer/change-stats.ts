// What changed between two commits, read through the git layer without starting git: the
// paths (as `git diff-tree -r --no-renames --name-only`) and the lines added and removed (as
// `--numstat` counts them: binary files and submodules count no lines). Blobs are asked of
// the long-lived `cat-file --batch` several at a time, so a large first push is not a
// round trip per file.

import { isBinary, lineDiff, splitLines } from "@micelio/core/line-diff";
import type { GitRepo } from "./git-repo.ts";
import { diffTrees, type PathChange } from "./tree-diff.ts";

export interface ChangeStats {
  paths: string[];
  linesAdded: number;
  linesRemoved: number;
}

const IN_FLIGHT = 16;

/** The change from commit `from` (null: nothing) to commit `to`. */
export async function commitChangeStats(
  repo: GitRepo,
  from: string | null,
  to: string,
): Promise<ChangeStats> {
  const [a, b] = await Promise.all([from ? repo.readCommit(from) : null, repo.readCommit(to)]);
  const changes = await diffTrees(repo, a?.tree ?? null, b.tree);
  let linesAdded = 0;
  let linesRemoved = 0;
  let next = 0;
  const worker = async () => {
    while (next < changes.length) {
      const d = await lineCounts(repo, changes[next++]);
      linesAdded += d.added;
      linesRemoved += d.removed;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, changes.length) }, worker));
  return { paths: changes.map((c) => c.path), linesAdded, linesRemoved };
}

async function lineCounts(repo: GitRepo, ch: PathChange): Promise<{ added: number; removed: number }> {
  const none = { added: 0, removed: 0 };
  if ((ch.old?.mode ?? "160000") === "160000" && (ch.next?.mode ?? "160000") === "160000") return none;
  const text = async (side: PathChange["old"]) =>
    side && side.mode !== "160000" ? (await repo.readType(side.oid, "blob")).data : Buffer.alloc(0);
  const [a, b] = await Promise.all([text(ch.old), text(ch.next)]);
  if (isBinary(a) || isBinary(b)) return none;
  return lineDiff(splitLines(a.toString("utf8")), splitLines(b.toString("utf8")));
}
