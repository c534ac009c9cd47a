// The quality gate at land time: when trunk has a checks.yml, a session lands only with a
// passing validation of its change merged onto trunk as it is now (reused from the
// changes-time run when nothing moved, run again otherwise). Below the minimum scores the
// land is refused with problem …/problems/validation-failed: each failing step with its log
// excerpt, the score breakdown and the iteration, so the agent can fix and retry alone.

import type { Viewer } from "../accounts/viewer.ts";
import { AppError } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { getSession } from "../sessions/sessions-service.ts";
import { confidence } from "./score.ts";
import { validateSession } from "./validation-service.ts";
import type { RunView } from "./validation-store.ts";
import { sessionRuns } from "./validation-store.ts";

/** The run in the shape the API, the problem and mic show. */
export function runJson(run: RunView, base: string) {
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    iteration: run.iteration,
    provider: run.provider,
    session_commit: run.session_commit,
    trunk_position: run.trunk_position,
    score: run.aggregate_score,
    min_score: run.min_score,
    confidence: run.aggregate_score === null ? null : confidence(run.aggregate_score, run.iteration),
    category_scores: run.category_scores,
    shortfalls: run.shortfalls,
    error: run.error,
    created_at: run.created_at,
    finished_at: run.finished_at,
    steps: run.steps.map((s) => ({
      name: s.name,
      category: s.category,
      weight: s.weight,
      status: s.status,
      exit_code: s.exit_code,
      killed: s.killed,
      duration_ms: s.duration_ms,
      cpu_ms: s.cpu_ms,
      peak_memory: s.peak_memory === null ? null : Number(s.peak_memory),
      metrics: s.metrics,
      baseline: s.baseline,
      coverage: s.coverage,
      coverage_delta: s.coverage_delta,
      log_excerpt: s.log_excerpt,
      log_url: s.log_key ? `${base}/validations/${run.id}/steps/${s.seq}/log` : null,
    })),
  };
}

export function validationFailed(run: RunView, base: string) {
  const json = runJson(run, base);
  const failing = json.steps.filter((s) => s.status !== "passed");
  const message =
    run.status === "error"
      ? `Validation could not run: ${run.error ?? "unknown error"}`
      : `Validation scored ${run.aggregate_score} (needs ${run.min_score}); failing: ${failing.map((s) => s.name).join(", ") || "none"}`;
  return new AppError("conflict", message, {
    problem: "validation-failed",
    validation: json,
    failing_steps: failing,
  });
}

/** Throws validation-failed unless the session passes trunk's gate (or there is none). */
export async function requireValidation(
  forge: Forge,
  project: { id: string; head_position: number },
  session: SessionRow,
  apiBase: string,
) {
  const run = await validateSession(forge, project.id, project.head_position, session, "land");
  if (run && run.status !== "passed") throw validationFailed(run, apiBase);
  return run;
}

/** The session's runs (newest first) as the API shows them, for a viewer who may read it. */
export async function sessionValidationsAs(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
) {
  const { session } = await getSession(forge.db, viewer, owner, project, id);
  const base = `/api/v1/projects/${owner}/${project}/sessions/${id}`;
  return { validations: (await sessionRuns(forge.db, session.id)).map((r) => runJson(r, base)) };
}
