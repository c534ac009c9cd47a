// The instance overview for administrators: accounts, projects, landed sessions, repository
// disk use (walked asynchronously and cached for a minute), the job queue, and recent
// errors. The logger keeps no history, so "recent errors" are the dead jobs' last errors and
// the sessions whose landing failed with a conflict (session.conflicted project events).
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Db } from "../db/db.ts";
import { countByState } from "../jobs/index.ts";

const DISK_TTL_MS = 60_000;
const diskCache = new Map<string, { at: number; bytes: number; pending?: Promise<number> }>();

/** Total size in bytes of the files under `dir`, not following symbolic links. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // removed while walking
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await directorySize(path);
    else if (e.isFile())
      total += await lstat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

/** The repositories' disk use, recomputed at most once a minute (concurrent callers share a walk). */
export async function repositoryDiskUse(root: string): Promise<{ bytes: number; measured_at: string }> {
  const cached = diskCache.get(root);
  if (cached && Date.now() - cached.at < DISK_TTL_MS) {
    return { bytes: cached.bytes, measured_at: new Date(cached.at).toISOString() };
  }
  if (cached?.pending) {
    const bytes = await cached.pending;
    return { bytes, measured_at: new Date().toISOString() };
  }
  const pending = directorySize(root);
  diskCache.set(root, { at: cached?.at ?? 0, bytes: cached?.bytes ?? 0, pending });
  try {
    const bytes = await pending;
    const at = Date.now();
    diskCache.set(root, { at, bytes });
    return { bytes, measured_at: new Date(at).toISOString() };
  } catch (err) {
    diskCache.delete(root);
    throw err;
  }
}

const count = (n: unknown) => Number(n ?? 0);

export async function instanceOverview(db: Db, reposRoot: string) {
  const [accounts, projects, landed, jobs, disk, deadJobs, conflicts] = await Promise.all([
    db
      .selectFrom("accounts")
      .select(["kind", (eb) => eb.fn.countAll<number>().as("n")])
      .select((eb) => eb.fn.count<number>("suspended_at").as("suspended"))
      .groupBy("kind")
      .execute(),
    db
      .selectFrom("projects")
      .select(["visibility", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("visibility")
      .execute(),
    db
      .selectFrom("sessions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "landed")
      .executeTakeFirstOrThrow(),
    countByState(db),
    repositoryDiskUse(reposRoot),
    db
      .selectFrom("jobs")
      .select(["id", "kind", "last_error", "finished_at", "created_at"])
      .where("state", "=", "dead")
      .orderBy("id", "desc")
      .limit(10)
      .execute(),
    db
      .selectFrom("project_events")
      .innerJoin("projects", "projects.id", "project_events.project_id")
      .innerJoin("accounts", "accounts.id", "projects.owner_id")
      .select([
        "project_events.id",
        "project_events.data",
        "project_events.created_at",
        "projects.handle as project",
        "accounts.handle as owner",
      ])
      .where("project_events.type", "=", "session.conflicted")
      .orderBy("project_events.id", "desc")
      .limit(10)
      .execute(),
  ]);
  const byKind = (k: string) => accounts.find((a) => a.kind === k);
  const byVis = (v: string) => count(projects.find((p) => p.visibility === v)?.n);
  const errors = [
    ...deadJobs.map((j) => ({
      source: "job" as const,
      at: (j.finished_at ?? j.created_at).toISOString(),
      subject: `job #${j.id} (${j.kind})`,
      message: j.last_error ?? "",
    })),
    ...conflicts.map((e) => ({
      source: "landing" as const,
      at: e.created_at.toISOString(),
      subject: `${e.owner}/${e.project}`,
      message: `landing refused: ${JSON.stringify(e.data).slice(0, 300)}`,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return {
    accounts: {
      users: count(byKind("user")?.n),
      organizations: count(byKind("org")?.n),
      suspended: count(byKind("user")?.suspended) + count(byKind("org")?.suspended),
    },
    projects: { public: byVis("public"), private: byVis("private") },
    sessions_landed: count(landed.n),
    repository_disk: disk,
    jobs: {
      queued: count(jobs.available) + count(jobs.running),
      dead: count(jobs.dead),
      by_state: Object.fromEntries(Object.entries(jobs).map(([k, v]) => [k, count(v)])),
    },
    recent_errors: errors.slice(0, 15),
  };
}

export type Overview = Awaited<ReturnType<typeof instanceOverview>>;
