// What a land answer carries about the landed commit besides its id: its tree and the commit
// object itself (base64 of the bytes git stores), read through the git layer. A client that
// already holds the tree and the parent (mic, when nothing else landed since its base) writes
// the commit into its own repository instead of fetching it.
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { parseCommit } from "../repos/git-layer/objects.ts";

export async function landedCommit(
  repo: GitRepo,
  commit: string,
): Promise<{ tree?: string; commit_object?: string }> {
  const obj = await repo.read(commit).catch(() => null);
  if (obj?.type !== "commit") return {};
  return { tree: parseCommit(obj.data).tree, commit_object: obj.data.toString("base64") };
}
