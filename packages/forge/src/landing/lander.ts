// The lander: land requests for a project queue up and a single lander per project applies
// them in epochs (up to maxBatch sessions, waiting at most maxWaitMs to gather them). Each
// session still gets its own commit and position; trunk moves once per epoch with a
// compare-and-swap, then the epoch is recorded in one transaction. Plain pushes to trunk
// are reconciled through the same queue, so nothing interleaves. Git is reached through the
// git layer: a session's merge is a tree splice (splice.ts) built in memory, the commit is
// written in process, trunk moves with one compare-and-swap per epoch on a long-lived
// `update-ref --stdin`; a landing on the common path starts no git process.
//
// Across processes (ADR 23) an epoch runs as the project's only lander (project-lock.ts):
// on PostgreSQL inside one transaction holding the project's advisory lock, which also
// records the epoch. When trunk is not where the database says (another process's push
// moved it), the epoch reconciles, prepares again and retries; it never fails a landing
// because someone else moved trunk.
import type { Db } from "../db/db.ts";
import { conflict } from "../errors/app-error.ts";
import type { Logger } from "../ops/logger.ts";
import type { GitRepos } from "../repos/git-layer/git-repos.ts";
import { StagedObjects } from "../repos/git-layer/staged-objects.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import { indexFor } from "./filters.ts";
import { casTrunkIn, trunkHeadOf } from "./git-land.ts";
import type { LandOutcome, PendingLanding } from "./land-types.ts";
import { checkSession, loadSessions, prepareLanding } from "./prepare.ts";
import { asProjectLander, type LockMode } from "./project-lock.ts";
import { recordLandings } from "./record.ts";
import { type Pusher, reconcileTrunk, recordedHead } from "./trunk.ts";

export { landConflict } from "./prepare.ts";

type LandJob = {
  kind: "land";
  sessionId: string;
  /** The handle of who asked for the landing (in the session.landed event). */
  by?: string;
  resolve: (o: LandOutcome) => void;
  reject: (e: unknown) => void;
};
type Job =
  | LandJob
  | { kind: "reconcile"; pusher?: Pusher; resolve: (n: number) => void; reject: (e: unknown) => void };

/** What one attempt of an epoch ended with: recorded (outcomes per job), or trunk moved under it. */
type Attempt = { done: LandJob[]; outcomes: LandOutcome[] } | { retry: LandJob[] };

export interface LanderOptions {
  maxBatch?: number;
  maxWaitMs?: number;
  /** "advisory" on PostgreSQL (one lander per project across processes); "in-process" on PGlite. */
  lock?: LockMode;
  /** Attempts of an epoch whose trunk keeps moving under it (pushes) before it gives up. */
  maxAttempts?: number;
}

export class Lander {
  private queues = new Map<string, Job[]>();
  private running = new Map<string, Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly lock: LockMode;
  private readonly maxAttempts: number;
  constructor(
    private readonly db: Db,
    private readonly repos: RepoStore,
    /** The forge's git layer pool (long-lived git processes per repository; closed by its owner). */
    private readonly git: GitRepos,
    private readonly log?: Logger,
    opts: LanderOptions = {},
  ) {
    // 128: with 100 clients about 45 landings wait at once; a cap below that makes some wait
    // for two epochs (docs/benchmarks.md, "epoch size").
    this.maxBatch = opts.maxBatch ?? Number(process.env.MICELIO_LAND_BATCH ?? 128);
    this.maxWaitMs = opts.maxWaitMs ?? Number(process.env.MICELIO_LAND_WAIT_MS ?? 10);
    this.lock = opts.lock ?? "in-process";
    this.maxAttempts = opts.maxAttempts ?? 20;
  }

  land(projectId: string, sessionId: string, by?: string): Promise<LandOutcome> {
    return new Promise((resolve, reject) =>
      this.enqueue(projectId, { kind: "land", sessionId, by, resolve, reject }),
    );
  }

  /** Records commits pushed straight to trunk (after receive-pack) as landings. */
  reconcile(projectId: string, pusher?: Pusher): Promise<number> {
    return new Promise((resolve, reject) =>
      this.enqueue(projectId, { kind: "reconcile", pusher, resolve, reject }),
    );
  }

  /** Reconciles every project with a repository (at start-up), each as its project's lander. */
  async recoverAll(): Promise<number> {
    const projects = await this.db.selectFrom("projects").select("id").execute();
    let recovered = 0;
    for (const p of projects) {
      if (!this.repos.exists(p.id)) continue;
      const dir = this.repos.dir(p.id);
      recovered += await asProjectLander(this.db, this.lock, p.id, (db) => reconcileTrunk(db, dir, p.id));
    }
    return recovered;
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
        await asProjectLander(this.db, this.lock, projectId, (db) =>
          reconcileTrunk(db, dir, projectId, job.pusher, this.git.get(dir)),
        ).then(job.resolve, job.reject);
        continue;
      }
      if (q.length < this.maxBatch && this.maxWaitMs > 0)
        await new Promise((r) => setTimeout(r, this.maxWaitMs));
      const batch: LandJob[] = [];
      while (q.length && q[0].kind === "land" && batch.length < this.maxBatch)
        batch.push(q.shift() as LandJob);
      await this.epoch(projectId, batch);
    }
    this.queues.delete(projectId);
  }

  /** Lands a batch: attempts until it is recorded, retrying while trunk moves under it. */
  private async epoch(projectId: string, batch: LandJob[]) {
    let jobs = batch;
    for (let attempt = 1; jobs.length > 0; attempt++) {
      const moved: { jobs: LandJob[]; pending: PendingLanding[] } = { jobs: [], pending: [] };
      let result: Attempt;
      try {
        result = await asProjectLander(this.db, this.lock, projectId, (db) =>
          this.attempt(db, projectId, jobs, moved),
        );
      } catch (err) {
        if (moved.jobs.length === 0) {
          this.log?.error({ err, projectId }, "landing epoch failed");
          for (const job of jobs) job.reject(err);
          return;
        }
        // Trunk moved but recording failed: reconcile records the landings from their trailers.
        this.log?.error({ err, projectId }, "recording landings failed; reconciling from trunk");
        await this.recover(projectId, moved.jobs, err);
        return;
      }
      if ("done" in result) {
        for (const [i, job] of result.done.entries()) job.resolve(result.outcomes[i]);
        return;
      }
      jobs = result.retry;
      if (attempt >= this.maxAttempts) {
        for (const job of jobs) job.reject(conflict("Trunk kept moving while landing; try again"));
        return;
      }
      this.log?.info({ projectId, attempt }, "trunk moved under the epoch; landing again");
    }
  }

  /** One attempt, as the project's lander: reconcile, prepare each session, move trunk, record. */
  private async attempt(
    db: Db,
    projectId: string,
    jobs: LandJob[],
    moved: { jobs: LandJob[]; pending: PendingLanding[] },
  ): Promise<Attempt> {
    const dir = this.repos.dir(projectId);
    const repo = this.git.get(dir);
    // A crash, a plain push or another process may have moved trunk; a push may land
    // between the reconcile and the read of trunk, so read until they agree (a trunk reset
    // behind its last landing never agrees: then land on it as it is). The epoch's sessions
    // are read meanwhile.
    const loading = loadSessions(
      db,
      projectId,
      jobs.map((j) => j.sessionId),
    );
    loading.catch(() => {}); // awaited below; a failure before that must not go unhandled
    let head: { position: number; commit: string | null };
    let startCommit: string | null;
    for (let reads = 1; ; reads++) {
      [head, startCommit] = await Promise.all([recordedHead(db, projectId), trunkHeadOf(repo)]);
      if (startCommit === head.commit || reads > 3) break;
      await reconcileTrunk(db, dir, projectId, undefined, repo);
    }
    const [sessions, startTree] = await Promise.all([
      loading,
      startCommit ? repo.readCommit(startCommit).then((c) => c.tree) : null,
      indexFor(db, projectId, head.position), // brought up to date once, before the checks share it
    ]);
    // Every session's change is read and checked against trunk at once; then each is checked
    // against the earlier ones of the epoch and spliced onto the running trunk, in order, in
    // memory: the epoch's trees and commits are staged and written together before the swap.
    const checked = await Promise.all(
      jobs.map((job) =>
        checkSession(db, repo, projectId, sessions.get(job.sessionId), head.position).then(
          (ok) => ({ ok, err: null }),
          (err: unknown) => ({ ok: null, err }),
        ),
      ),
    );
    const staged = new StagedObjects(repo);
    let running = startCommit && startTree ? { commit: startCommit, tree: startTree } : null;
    const pending: PendingLanding[] = [];
    const accepted: LandJob[] = [];
    for (const [i, job] of jobs.entries()) {
      try {
        const { ok, err } = checked[i];
        if (!ok) throw err;
        const landing = await prepareLanding(db, staged, projectId, ok, head.position, running, pending);
        pending.push(job.by ? { ...landing, landedBy: job.by } : landing);
        running = { commit: landing.commit, tree: landing.tree };
        accepted.push(job);
      } catch (err) {
        job.reject(err);
      }
    }
    if (pending.length === 0) return { done: [], outcomes: [] };
    await staged.flush();
    if (!(await casTrunkIn(repo, running!.commit, startCommit))) return { retry: accepted };
    moved.jobs = accepted;
    moved.pending = pending;
    const outcomes = await recordLandings(db, projectId, head.position, pending);
    return { done: accepted, outcomes };
  }

  /** After trunk moved but the epoch was not recorded: record it from trunk, answer from the rows. */
  private async recover(projectId: string, jobs: LandJob[], cause: unknown) {
    const dir = this.repos.dir(projectId);
    try {
      const rows = await asProjectLander(this.db, this.lock, projectId, async (db) => {
        await reconcileTrunk(db, dir, projectId);
        return db
          .selectFrom("sessions")
          .select(["id", "status", "landed_position", "landed_commit"])
          .where(
            "id",
            "in",
            jobs.map((j) => j.sessionId),
          )
          .execute();
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const job of jobs) {
        const s = byId.get(job.sessionId);
        if (s?.status === "landed" && s.landed_position && s.landed_commit)
          job.resolve({ position: s.landed_position, commit: s.landed_commit });
        else job.reject(cause);
      }
    } catch (err) {
      this.log?.error({ err, projectId }, "reconciling after a failed recording failed");
      for (const job of jobs) job.reject(cause);
    }
  }
}
