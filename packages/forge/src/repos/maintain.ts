// Repository upkeep run by the job queue after pushes: repack into one pack with a
// reachability bitmap (clones then count objects quickly) and pack the refs; then the clone
// bundle (bundles/bundle-upkeep.ts), when it is due.
import type { BundleSettings } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import { enqueue, type JobHandler } from "../jobs/index.ts";
import { bundleJobHandlers, bundleUpkeep } from "./bundles/bundle-upkeep.ts";
import { git } from "./git.ts";
import { repackArgs } from "./git-layer/fork-objects.ts";
import type { RepoStore } from "./repo-store.ts";

export const REPO_MAINTAIN_JOB = "repo.maintain";

/** Schedules upkeep shortly after a push; several pushes in a row make one job. */
export function scheduleMaintenance(db: Db, projectId: string) {
  return enqueue(
    db,
    REPO_MAINTAIN_JOB,
    { projectId },
    { uniqueKey: `${REPO_MAINTAIN_JOB}:${projectId}`, delayMs: 10_000 },
  );
}

/** `bundles`: the database and settings for clone bundles (none without). */
export function repoJobHandlers(
  repos: RepoStore,
  bundles?: { db: Db; settings: BundleSettings },
): Record<string, JobHandler> {
  return {
    ...(bundles ? bundleJobHandlers(repos, bundles.settings) : {}),
    [REPO_MAINTAIN_JOB]: async (payload: { projectId: string }) => {
      if (!repos.exists(payload.projectId)) return; // deleted meanwhile
      const dir = repos.dir(payload.projectId);
      const shared = await repackArgs(dir); // forks borrow objects: git-layer/fork-objects.ts
      const base = ["repack", "-a", "-d", "-q", ...shared.args, ...(shared.bitmaps ? ["-b"] : [])];
      await git([...base, "--write-midx"], {
        cwd: dir,
        timeoutMs: 30 * 60_000,
      }).catch(async () => git(base, { cwd: dir, timeoutMs: 30 * 60_000 }));
      await git(["pack-refs", "--all"], { cwd: dir });
      if (bundles) await bundleUpkeep(bundles.db, repos, payload.projectId, bundles.settings);
    },
  };
}
