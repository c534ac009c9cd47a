// Validation runs in the database: start a run (its iteration is the session's count so
// far plus one), record its steps and scores in one transaction, find a finished run to
// reuse (same session commit, same trunk commit), and read runs back for the API and pages.

import { ulid } from "@micelio/core/ulid";
import type { Insertable, Selectable } from "kysely";
import type { Db } from "../db/db.ts";
import type { ValidationRunsTable, ValidationStepsTable } from "../db/schema.ts";
import type { Scores, Shortfall } from "./score.ts";

/** A step's row as written (its run and position are added when the run is finished). */
export type StepRecord = Omit<Insertable<ValidationStepsTable>, "run_id" | "seq">;

export interface NewRun {
  projectId: string;
  sessionId: string;
  sessionCommit: string;
  trunkCommit: string | null;
  trunkPosition: number;
  configBlob: string;
  trigger: "changes" | "land";
  provider: string;
  minScore: number;
}

export async function startRun(db: Db, run: NewRun): Promise<{ id: string; iteration: number }> {
  const id = ulid();
  const row = await db
    .insertInto("validation_runs")
    .values((eb) => ({
      id,
      project_id: run.projectId,
      session_id: run.sessionId,
      session_commit: run.sessionCommit,
      trunk_commit: run.trunkCommit,
      trunk_position: run.trunkPosition,
      config_blob: run.configBlob,
      trigger: run.trigger,
      provider: run.provider,
      min_score: run.minScore,
      iteration: eb
        .selectFrom("validation_runs")
        .select((e) => e(e.fn.countAll<number>(), "+", 1).as("n"))
        .where("session_id", "=", run.sessionId),
      aggregate_score: null,
      error: null,
      finished_at: null,
    }))
    .returning("iteration")
    .executeTakeFirstOrThrow();
  return { id, iteration: Number(row.iteration) };
}

export async function finishRun(
  db: Db,
  id: string,
  outcome: {
    status: "passed" | "failed" | "error";
    scores: Scores | null;
    shortfalls: Shortfall[];
    error?: string;
  },
  steps: StepRecord[],
) {
  await db.transaction().execute(async (tx) => {
    if (steps.length)
      await tx
        .insertInto("validation_steps")
        .values(steps.map((s, seq) => ({ run_id: id, seq, ...s })))
        .execute();
    await tx
      .updateTable("validation_runs")
      .set({
        status: outcome.status,
        aggregate_score: outcome.scores?.aggregate ?? null,
        category_scores: JSON.stringify(outcome.scores?.categories ?? {}),
        shortfalls: JSON.stringify(outcome.shortfalls),
        error: outcome.error ?? null,
        finished_at: new Date(),
      })
      .where("id", "=", id)
      .execute();
  });
}

/** A finished run of this session commit merged onto this trunk commit with this config. */
export async function reusableRun(
  db: Db,
  sessionId: string,
  sessionCommit: string,
  trunkCommit: string | null,
  configBlob: string,
) {
  let q = db
    .selectFrom("validation_runs")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("session_commit", "=", sessionCommit)
    .where("config_blob", "=", configBlob)
    .where("status", "in", ["passed", "failed"]);
  q = trunkCommit === null ? q.where("trunk_commit", "is", null) : q.where("trunk_commit", "=", trunkCommit);
  const row = await q.orderBy("created_at", "desc").executeTakeFirst();
  return row ? (await withSteps(db, [row]))[0]! : null;
}

export type RunView = Awaited<ReturnType<typeof withSteps>>[number];

/** Runs with their steps: one query for all the runs' steps, whatever their number. */
async function withSteps(db: Db, runs: Selectable<ValidationRunsTable>[]) {
  const steps = runs.length
    ? await db
        .selectFrom("validation_steps")
        .selectAll()
        .where(
          "run_id",
          "in",
          runs.map((r) => r.id),
        )
        .orderBy("seq")
        .execute()
    : [];
  return runs.map((run) => ({ ...run, steps: steps.filter((s) => s.run_id === run.id) }));
}

export async function getRun(db: Db, id: string): Promise<RunView | null> {
  const run = await db.selectFrom("validation_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return run ? (await withSteps(db, [run]))[0]! : null;
}

/** The session's runs, newest first, with their steps (two queries). */
export async function sessionRuns(db: Db, sessionId: string, limit = 20): Promise<RunView[]> {
  const runs = await db
    .selectFrom("validation_runs")
    .selectAll()
    .where("session_id", "=", sessionId)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
  return withSteps(db, runs);
}
