// Trunk's last values of a step: from the most recent passed validation run of a session of
// the project that has since landed (latest landing first), the step's metric or coverage.
// One query each, no state of its own: a landing moves the baseline by being a landing.
import { sql } from "kysely";
import type { Db } from "../../db/db.ts";

function landedSteps(db: Db, projectId: string, step: string) {
  return db
    .selectFrom("validation_steps as s")
    .innerJoin("validation_runs as r", "r.id", "s.run_id")
    .innerJoin("sessions as x", "x.id", "r.session_id")
    .where("r.project_id", "=", projectId)
    .where("r.status", "=", "passed")
    .where("x.status", "=", "landed")
    .where("s.name", "=", step)
    .orderBy("x.landed_position", "desc")
    .orderBy("r.created_at", "desc")
    .limit(1);
}

/** Trunk's value of `metric` for `step`, or null when no landed session reported one. */
export async function trunkMetric(db: Db, projectId: string, step: string, metric: string) {
  const row = await landedSteps(db, projectId, step)
    .select(sql<string | number | null>`(s.metrics ->> ${metric})::float8`.as("v"))
    .where(sql<boolean>`(s.metrics ->> ${metric}) IS NOT NULL`)
    .executeTakeFirst();
  return row?.v === null || row?.v === undefined ? null : Number(row.v);
}

/** Trunk's coverage for `step`, or null when no landed session reported it. */
export async function trunkCoverage(db: Db, projectId: string, step: string) {
  const row = await landedSteps(db, projectId, step)
    .select("s.coverage")
    .where("s.coverage", "is not", null)
    .executeTakeFirst();
  return row?.coverage ?? null;
}
