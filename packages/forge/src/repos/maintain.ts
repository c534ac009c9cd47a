// Repository upkeep run by the job queue. After pushes: repack into one pack with a
// reachability bitmap (clones then count objects quickly) and pack the refs; then the clone
// bundle (bundles/bundle-upkeep.ts), when it is due. After landings and session changes, which
// write small packs (git-layer/pack-write.ts): a geometric repack that merges the small packs
// and leaves the big one alone, scheduled each time PACKS_PER_NOTICE more piled up.
//
// A pack the layer just wrote is unreachable until its ref moves a moment later, so no upkeep
// drops a recent unreachable object: the geometric repack keeps every object of the packs it
// merges, and the full one works as `git gc` does with its default grace of two weeks —
// unreachable objects older than that are dropped, younger ones kept loose, and then loose
// unreachable objects and temporary files (a `tmp_pack_…` left by a crash) older than that are
// pruned. A repository others borrow objects from (forks) keeps everything (-k).
import { basename, dirname } from "node:path";
import type { BundleSettings } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import { enqueue, type JobHandler } from "../jobs/index.ts";
import { bundleJobHandlers, bundleUpkeep } from "./bundles/bundle-upkeep.ts";
import { git } from "./git.ts";
import { repackArgs } from "./git-layer/fork-objects.ts";
import { onPacksPiled } from "./git-layer/pack-write.ts";
import type { RepoStore } from "./repo-store.ts";

export const REPO_MAINTAIN_JOB = "repo.maintain";
/** How old an unreachable object or temporary file must be to go (git gc's default). */
export const PRUNE_EXPIRE = "2.weeks.ago";
export const REPO_COMPACT_JOB = "repo.compact";

/** Schedules upkeep shortly after a push; several pushes in a row make one job. */
export function scheduleMaintenance(db: Db, projectId: string) {
  return enqueue(
    db,
    REPO_MAINTAIN_JOB,
    { projectId },
    { uniqueKey: `${REPO_MAINTAIN_JOB}:${projectId}`, delayMs: 10_000 },
  );
}

/**
 * Schedules a geometric repack of a repository of `repos` whenever the git layer has piled up
 * small packs in it; returns the unsubscribe. `warn` hears a failed enqueue.
 */
export function compactWhenPacksPile(db: Db, repos: RepoStore, warn: (err: unknown) => void) {
  return onPacksPiled((dir) => {
    if (dirname(dir) !== repos.root) return; // another forge's repository (tests run several)
    const projectId = basename(dir, ".git");
    enqueue(
      db,
      REPO_COMPACT_JOB,
      { projectId },
      { uniqueKey: `${REPO_COMPACT_JOB}:${projectId}`, delayMs: 5_000 },
    ).catch(warn);
  });
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
      const lends = shared.args.includes("-k"); // others borrow: keep every object, packed
      // -A: recent unreachable objects become loose rather than dropped; old ones go.
      const all = lends ? ["-a"] : ["-A", `--unpack-unreachable=${PRUNE_EXPIRE}`];
      const base = ["repack", ...all, "-d", "-q", ...shared.args, ...(shared.bitmaps ? ["-b"] : [])];
      await repack(dir, base);
      await git(["pack-refs", "--all"], { cwd: dir });
      if (!lends) await git(["prune", `--expire=${PRUNE_EXPIRE}`], { cwd: dir, timeoutMs: 30 * 60_000 });
      if (bundles) await bundleUpkeep(bundles.db, repos, payload.projectId, bundles.settings);
    },
    [REPO_COMPACT_JOB]: async (payload: { projectId: string }) => {
      if (!repos.exists(payload.projectId)) return;
      const dir = repos.dir(payload.projectId);
      const shared = await repackArgs(dir);
      const base = ["repack", "--geometric=2", "-d", "-q", ...shared.args, ...(shared.bitmaps ? ["-b"] : [])];
      await repack(dir, base);
    },
  };
}

/** A repack with a multi-pack index, or without one when this git cannot write it so. */
const repack = (dir: string, args: string[]) =>
  git([...args, "--write-midx"], { cwd: dir, timeoutMs: 30 * 60_000 }).catch(async () =>
    git(args, { cwd: dir, timeoutMs: 30 * 60_000 }),
  );
