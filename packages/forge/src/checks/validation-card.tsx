// The session page's validation card: the newest run's status, score against the minimum,
// the score per category, and every step with its result, its figures (coverage, baseline,
// metrics) and the end of its log (the failing ones open), with a link to each whole log.
// Nothing when the project has no checks.
import { StepFigures } from "./metrics/step-figures.tsx";
import { confidence } from "./score.ts";
import type { RunView } from "./validation-store.ts";

const ICON: Record<string, string> = { passed: "✓", failed: "✗", skipped: "–", error: "!" };

export function ValidationCard({ run, apiBase }: { run: RunView | null; apiBase: string }) {
  if (!run) return null;
  const status = run.status === "running" ? "running" : run.status;
  return (
    <section class={`card validation validation-${status}`} aria-labelledby="validation-title">
      <h2 id="validation-title">
        Validation: {status}
        {run.aggregate_score !== null ? (
          <>
            {" "}
            · score <strong>{run.aggregate_score}</strong> (needs {run.min_score}) · confidence{" "}
            {confidence(run.aggregate_score, run.iteration)}
          </>
        ) : null}
      </h2>
      <p class="hint">
        Attempt {run.iteration}, on trunk position {run.trunk_position}, in the {run.provider} sandbox
        {run.error ? <> · {run.error}</> : null}.
      </p>
      {Object.keys(run.category_scores).length ? (
        <p class="validation-categories">
          {Object.entries(run.category_scores).map(([category, score]) => (
            <span class="badge">
              {category} {score}
            </span>
          ))}
        </p>
      ) : null}
      <ul class="list validation-steps">
        {run.steps.map((step) => (
          <li class={`validation-step step-${step.status}`}>
            <details open={step.status !== "passed"}>
              <summary>
                <span aria-hidden="true">{ICON[step.status] ?? "?"}</span> <strong>{step.name}</strong>{" "}
                <span class="muted">
                  {step.category} · {step.status}
                  {step.exit_code !== null ? ` · exit ${step.exit_code}` : ""}
                  {step.killed ? ` · killed (${step.killed})` : ""} · {(step.duration_ms / 1000).toFixed(1)} s
                </span>
              </summary>
              <StepFigures step={step} />
              {step.log_excerpt.trim() ? <pre class="validation-log">{step.log_excerpt}</pre> : null}
              {step.log_key ? (
                <a href={`${apiBase}/validations/${run.id}/steps/${step.seq}/log`}>Whole log</a>
              ) : null}
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
