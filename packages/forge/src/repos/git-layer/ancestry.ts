// Ancestry through the layer: "is A an ancestor of B" answered by walking parents through the
// repository's long-lived `cat-file --batch`, without a `merge-base` process. A "yes" found by
// the walk is exact; a walk that exhausts its budget, or that reaches the roots without
// meeting A, asks `git merge-base --is-ancestor` once (the rare path: a session not on its
// base), so the answer is always git's.
import { git } from "../git.ts";
import type { GitRepo } from "./git-repo.ts";

/** Commits the walk may read before it hands the question to git. */
export const ANCESTRY_WALK_BUDGET = 2_000;

export async function isAncestor(
  repo: GitRepo,
  ancestor: string,
  commit: string,
  budget = ANCESTRY_WALK_BUDGET,
): Promise<boolean> {
  if (ancestor === commit) return true;
  const seen = new Set<string>([commit]);
  let frontier = [commit];
  while (frontier.length && seen.size <= budget) {
    const next: string[] = [];
    for (const oid of frontier) {
      const { parents } = await repo.readCommit(oid);
      for (const p of parents) {
        if (p === ancestor) return true;
        if (!seen.has(p)) {
          seen.add(p);
          next.push(p);
        }
      }
    }
    frontier = next;
  }
  return git(["merge-base", "--is-ancestor", ancestor, commit], { cwd: repo.dir }).then(
    () => true,
    () => false,
  );
}
