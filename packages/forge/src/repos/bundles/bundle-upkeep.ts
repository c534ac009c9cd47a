// When a repository gets a (new) clone bundle: during upkeep after pushes (repos/maintain.ts),
// once the repository is big enough to be worth it (commits on the default branch or bytes of
// packs), of its default branch and tags. Not on every landing: when the refs moved, the
// bundle is rebuilt once it is `intervalMs` old; until then a `repo.bundle` job waits for
// that moment, and clients fetch what is newer than the bundle as usual. A default branch
// rewound (the bundled head no longer in its history) rebuilds at once, so history taken out
// is not handed out from the bundle for long. Forks get none: they speak protocol v0.
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { BundleSettings } from "../../config/config.ts";
import type { Db } from "../../db/db.ts";
import { enqueue, type JobHandler } from "../../jobs/index.ts";
import { git, gitText } from "../git.ts";
import { readAlternates } from "../git-layer/fork-objects.ts";
import type { RepoStore } from "../repo-store.ts";
import { type BundleInfo, currentBundle, writeBundle } from "./bundle-store.ts";

export const REPO_BUNDLE_JOB = "repo.bundle";
const TIMEOUT = 30 * 60_000;

export type BundleOutcome =
  | { state: "built"; info: BundleInfo }
  | { state: "fresh" | "small" | "none" }
  | { state: "wait"; inMs: number };

/** The default branch and tags, and a hash of where they point; null for an empty repository. */
async function bundledRefs(dir: string) {
  const branch = (await gitText(["symbolic-ref", "-q", "HEAD"], { cwd: dir, okCodes: [1] })).trim();
  if (!branch.startsWith("refs/heads/")) return null;
  const listing = await gitText(["for-each-ref", "--format=%(objectname) %(refname)", branch, "refs/tags"], {
    cwd: dir,
  });
  const head = listing
    .split("\n")
    .find((l) => l.endsWith(` ${branch}`))
    ?.split(" ")[0];
  if (!head) return null;
  const refsHash = createHash("sha256").update(`${branch}\n${listing}`).digest("hex");
  const tags = listing.split("\n").some((l) => l.includes(" refs/tags/"));
  return { refs: tags ? [branch, "--tags"] : [branch], head, refsHash };
}

async function packBytes(dir: string) {
  const packs = join(dir, "objects", "pack");
  let total = 0;
  for (const name of await readdir(packs).catch(() => [])) {
    if (name.endsWith(".pack")) total += (await stat(join(packs, name)).catch(() => null))?.size ?? 0;
  }
  return total;
}

async function bigEnough(dir: string, head: string, settings: BundleSettings) {
  if ((await packBytes(dir)) >= settings.minBytes) return true;
  const count = Number(await gitText(["rev-list", "--count", head], { cwd: dir, timeoutMs: TIMEOUT }));
  return count >= settings.minCommits;
}

/** Whether `old` is still in `head`'s history. */
async function contains(dir: string, old: string, head: string) {
  return git(["merge-base", "--is-ancestor", old, head], { cwd: dir }).then(
    () => true,
    () => false,
  );
}

/**
 * Brings the repository's bundle up to date if it is due (see the header); `force` skips the
 * interval (the delayed job, whose wait is over).
 */
export async function refreshBundle(
  dir: string,
  settings: BundleSettings,
  opts: { force?: boolean; now?: number } = {},
): Promise<BundleOutcome> {
  if (!settings.enabled || readAlternates(dir).length > 0) return { state: "none" };
  const refs = await bundledRefs(dir);
  if (!refs) return { state: "none" };
  const current = await currentBundle(dir);
  if (current?.refsHash === refs.refsHash) return { state: "fresh" };
  const now = opts.now ?? Date.now();
  if (!current) {
    if (!(await bigEnough(dir, refs.head, settings))) return { state: "small" };
  } else if (!opts.force) {
    const age = now - current.createdAt;
    if (age < settings.intervalMs && (await contains(dir, current.head, refs.head)))
      return { state: "wait", inMs: settings.intervalMs - age };
  }
  const info = await writeBundle(
    dir,
    refs.refs,
    { head: refs.head, refsHash: refs.refsHash },
    { timeoutMs: TIMEOUT, now },
  );
  return { state: "built", info };
}

/** Runs after the repository's upkeep: refreshes the bundle, or schedules the refresh when it is due. */
export async function bundleUpkeep(db: Db, repos: RepoStore, projectId: string, settings: BundleSettings) {
  const outcome = await refreshBundle(repos.dir(projectId), settings);
  if (outcome.state === "wait") {
    await enqueue(
      db,
      REPO_BUNDLE_JOB,
      { projectId },
      { uniqueKey: `${REPO_BUNDLE_JOB}:${projectId}`, delayMs: outcome.inMs },
    );
  }
  return outcome;
}

export function bundleJobHandlers(repos: RepoStore, settings: BundleSettings): Record<string, JobHandler> {
  return {
    [REPO_BUNDLE_JOB]: async (payload: { projectId: string }) => {
      if (!repos.exists(payload.projectId)) return; // deleted meanwhile
      await refreshBundle(repos.dir(payload.projectId), settings, { force: true });
    },
  };
}
