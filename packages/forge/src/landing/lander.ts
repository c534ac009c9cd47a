// The lander: land requests for a project queue up and a single lander per project applies
// them in epochs (up to maxBatch sessions, waiting at most maxWaitMs to gather them). Each
// session still gets its own commit and position; trunk moves once per epoch with a
// compare-and-swap, then the epoch is recorded in one transaction. Plain pushes to trunk
// are reconciled through the same queue, so nothing interleaves. Git is reached through the
// git layer: a session's merge is a tree splice (splice.ts) built in memory, the commit is
// written in process, trunk moves with one compare-and-swap per epoch on a long-lived
// `update-ref --stdin`; a landing on the common path starts no git process.
import { pathsConflict } from "@micelio/core";
import type { Db } from "../db/db.ts";
import { AppError, conflict, invalid, notFound } from "../errors/app-error.ts";
import type { Logger } from "../ops/logger.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import type { GitRepos } from "../repos/git-layer/git-repos.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { secretsError } from "../repos/secret-gate.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { commitEnv } from "../sessions/session-changes.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { findConflicts } from "./conflicts.ts";
import { casTrunkIn, landingMessage, trunkHeadOf, writeCommitIn } from "./git-land.ts";
import type { ConflictDetail, LandOutcome, PendingLanding } from "./land-types.ts";
import { recordLandings } from "./record.ts";
import { readSessionChange } from "./session-read.ts";
import { spliceTree } from "./splice.ts";
import { type Pusher, reconcileTrunk, recordedHead } from "./trunk.ts";

type Job =
  | { kind: "land"; sessionId: string; resolve: (o: LandOutcome) => void; reject: (e: unknown) => void }
  | { kind: "reconcile"; pusher?: Pusher; resolve: (n: number) => void; reject: (e: unknown) => void };

export interface LanderOptions {
  maxBatch?: number;
  maxWaitMs?: number;
}

export class Lander {
  private queues = new Map<string, Job[]>();
  private running = new Map<string, Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  constructor(
    private readonly db: Db,
    private readonly repos: RepoStore,
    /** The forge's git layer pool (long-lived git processes per repository; closed by its owner). */
    private readonly git: GitRepos,
    private readonly log?: Logger,
    opts: LanderOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? Number(process.env.MICELIO_LAND_BATCH ?? 32);
    this.maxWaitMs = opts.maxWaitMs ?? Number(process.env.MICELIO_LAND_WAIT_MS ?? 10);
  }

  land(projectId: string, sessionId: string): Promise<LandOutcome> {
    return new Promise((resolve, reject) =>
      this.enqueue(projectId, { kind: "land", sessionId, resolve, reject }),
    );
  }

  /** Records commits pushed straight to trunk (after receive-pack) as landings. */
  reconcile(projectId: string, pusher?: Pusher): Promise<number> {
    return new Promise((resolve, reject) =>
      this.enqueue(projectId, { kind: "reconcile", pusher, resolve, reject }),
    );
  }

  /** Waits for every queued landing to finish (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  private enqueue(projectId: string, job: Job) {
    const q = this.queues.get(projectId) ?? [];
    q.push(job);
    this.queues.set(projectId, q);
    if (!this.running.has(projectId)) {
      const run = this.drain(projectId).finally(() => this.running.delete(projectId));
      this.running.set(projectId, run);
    }
  }

  private async drain(projectId: string) {
    const q = this.queues.get(projectId)!;
    while (q.length) {
      if (q[0].kind === "reconcile") {
        const job = q.shift() as Extract<Job, { kind: "reconcile" }>;
        const dir = this.repos.dir(projectId);
        await reconcileTrunk(this.db, dir, projectId, job.pusher, this.git.get(dir)).then(
          job.resolve,
          job.reject,
        );
        continue;
      }
      if (q.length < this.maxBatch && this.maxWaitMs > 0)
        await new Promise((r) => setTimeout(r, this.maxWaitMs));
      const batch: Extract<Job, { kind: "land" }>[] = [];
      while (q.length && q[0].kind === "land" && batch.length < this.maxBatch)
        batch.push(q.shift() as (typeof batch)[number]);
      try {
        await this.epoch(projectId, batch);
      } catch (err) {
        this.log?.error({ err, projectId }, "landing epoch failed");
        for (const job of batch) job.reject(err);
      }
    }
    this.queues.delete(projectId);
  }

  private async epoch(projectId: string, batch: Extract<Job, { kind: "land" }>[]) {
    const dir = this.repos.dir(projectId);
    const repo = this.git.get(dir);
    // A crash or a plain push may have moved trunk.
    await reconcileTrunk(this.db, dir, projectId, undefined, repo);
    const head = await recordedHead(this.db, projectId);
    const startCommit = await trunkHeadOf(repo);
    let running = startCommit;
    const pending: PendingLanding[] = [];
    const accepted: typeof batch = [];
    for (const job of batch) {
      try {
        pending.push(await this.prepare(repo, projectId, job.sessionId, head.position, running, pending));
        running = pending[pending.length - 1].commit;
        accepted.push(job);
      } catch (err) {
        job.reject(err);
      }
    }
    if (pending.length === 0) return;
    if (!(await casTrunkIn(repo, running!, startCommit))) {
      for (const job of accepted) job.reject(conflict("Trunk moved while landing; try again"));
      return;
    }
    let outcomes: LandOutcome[];
    try {
      outcomes = await recordLandings(this.db, projectId, head.position, pending);
    } catch (err) {
      // Trunk moved but recording failed: reconcile records the landings from their trailers.
      this.log?.error({ err, projectId }, "recording landings failed; reconciling from trunk");
      await reconcileTrunk(this.db, dir, projectId);
      outcomes = [];
      for (const p of pending) {
        const s = await this.db
          .selectFrom("sessions")
          .select(["landed_position", "landed_commit"])
          .where("id", "=", p.sessionId!)
          .executeTakeFirst();
        outcomes.push({ position: s?.landed_position ?? -1, commit: s?.landed_commit ?? p.commit });
      }
    }
    for (const [i, job] of accepted.entries()) job.resolve(outcomes[i]);
  }

  /** Checks one session against trunk and the earlier sessions of this epoch, and writes its commit. */
  private async prepare(
    repo: GitRepo,
    projectId: string,
    sessionId: string,
    headPosition: number,
    running: string | null,
    earlier: PendingLanding[],
  ) {
    const session = (await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("id", "=", sessionId)
      .where("project_id", "=", projectId)
      .executeTakeFirst()) as SessionRow | undefined;
    if (!session) throw notFound("Session not found");
    if (session.status !== "open") throw conflict(`The session is already ${session.status}`);
    const change = await readSessionChange(repo, session);
    if (!change) throw invalid("The session has no changes yet: push to its ref or PUT its changes first");
    const stats = { paths: change.paths, lines_added: change.linesAdded, lines_removed: change.linesRemoved };
    if (stats.paths.length === 0) throw invalid("The session changes nothing");
    if (change.secrets.length) throw secretsError(change.secrets);
    const conflicts: ConflictDetail[] = await findConflicts(
      this.db,
      projectId,
      session.base_position,
      headPosition,
      stats.paths,
    );
    earlier.forEach((e, i) => {
      for (const path of pathsConflict(stats.paths, e.paths)) {
        conflicts.push({
          path,
          position: headPosition + i + 1,
          session_id: e.sessionId,
          goal: e.goal,
          author: e.authorHandle,
          agent: null,
        });
      }
    });
    if (conflicts.length) {
      await recordProjectEvent(this.db, projectId, "session.conflicted", {
        session: session.id,
        goal: session.goal,
        conflicts,
      });
      throw landConflict(conflicts);
    }
    const merged = await spliceTree(
      repo,
      running ? (await repo.readCommit(running)).tree : null,
      change.changes,
    );
    if (merged.conflicts.length) {
      await recordProjectEvent(this.db, projectId, "session.conflicted", {
        session: session.id,
        goal: session.goal,
        conflicts: merged.conflicts.map((path) => ({ path, position: headPosition })),
      });
      throw landConflict(
        merged.conflicts.map((path) => ({
          path,
          position: headPosition,
          session_id: null,
          goal: null,
          author: null,
          agent: null,
        })),
      );
    }
    const decisions = await this.db
      .selectFrom("session_events")
      .select("data")
      .where("session_id", "=", session.id)
      .where("kind", "=", "decision")
      .orderBy("seq", "desc")
      .limit(10)
      .execute();
    const message = landingMessage(
      session.goal,
      decisions.reverse().map((d) => String((d.data as { text?: string }).text ?? "")),
      {
        "Micelio-Session": session.id,
        "Assisted-by": session.agent_name
          ? [session.agent_name, session.agent_model].filter(Boolean).join(":")
          : null,
      },
    );
    const landed = await writeCommitIn(repo, merged.tree, running, message, commitEnv(session));
    return {
      sessionId: session.id,
      goal: session.goal,
      authorHandle: session.author_handle,
      commit: landed,
      parent: running,
      paths: stats.paths,
      linesAdded: stats.lines_added,
      linesRemoved: stats.lines_removed,
    } satisfies PendingLanding;
  }
}

export function landConflict(conflicts: ConflictDetail[]) {
  const paths = [...new Set(conflicts.map((c) => c.path))];
  return new AppError(
    "conflict",
    `The session conflicts with landed work on ${paths.length} path(s): ${paths.slice(0, 5).join(", ")}`,
    {
      conflicts,
    },
  );
}
