// The quality gate's refusal in words: the score against the minimum, each failing step
// with why it failed, its baseline and coverage figures, the end of its log, and where the
// whole log is. The --json document keeps the forge's problem (validation, failing_steps)
// as it came.
import { CliError, EXIT } from "./exit-codes.ts";

interface Step {
  name: string;
  category: string;
  status: string;
  exit_code: number | null;
  killed: string | null;
  log_excerpt: string;
  log_url: string | null;
  baseline?: { metric: string; value: number | null; baseline: number | null; change: number | null } | null;
  coverage?: number | null;
  coverage_delta?: number | null;
}

/** A step's baseline and coverage in a few words ("ms 150 vs baseline 100 (+50%)"), or "". */
export function stepFigures(step: Step): string {
  const parts: string[] = [];
  const b = step.baseline;
  if (b?.value != null)
    parts.push(
      b.baseline === null
        ? `${b.metric} ${b.value} (first baseline)`
        : `${b.metric} ${b.value} vs baseline ${b.baseline}${b.change === null ? "" : ` (${b.change > 0 ? "+" : ""}${b.change}%)`}`,
    );
  if (step.coverage != null)
    parts.push(
      `coverage ${step.coverage}%${step.coverage_delta != null ? ` (${step.coverage_delta > 0 ? "+" : ""}${step.coverage_delta} vs trunk)` : ""}`,
    );
  return parts.join(", ");
}

interface Validation {
  score: number | null;
  min_score: number;
  iteration: number;
  status: string;
  error: string | null;
  shortfalls: { scope: string; score: number; required: number }[];
  steps: Step[];
}

const indent = (text: string, n = 12) =>
  text
    .trimEnd()
    .split("\n")
    .slice(-n)
    .map((l) => `      ${l}`)
    .join("\n");

export function validationLines(v: Validation): string[] {
  if (v.status === "error") return [`validation could not run: ${v.error ?? "unknown error"}`];
  const lines = [
    `validation failed (attempt ${v.iteration}): score ${v.score ?? "?"}, needs ${v.min_score}`,
    ...v.shortfalls
      .filter((s) => s.scope !== "aggregate")
      .map((s) => `  ${s.scope}: ${s.score}, needs ${s.required}`),
  ];
  for (const step of v.steps.filter((s) => s.status !== "passed")) {
    const why = step.killed
      ? `killed (${step.killed})`
      : step.exit_code !== null
        ? `exit ${step.exit_code}`
        : step.status;
    lines.push(`  ✗ ${step.name} [${step.category}]: ${why}`);
    if (stepFigures(step)) lines.push(`      ${stepFigures(step)}`);
    if (step.log_excerpt.trim()) lines.push(indent(step.log_excerpt));
    if (step.log_url) lines.push(`      whole log: ${step.log_url}`);
  }
  lines.push("fix what the failing steps report, then mic land again");
  return lines;
}

/** The forge's validation-failed error, with the failing steps spelled out. */
export function explainValidation(err: CliError): CliError {
  const v = err.details.validation as Validation | undefined;
  if (!v) return err;
  return new CliError(validationLines(v).join("\n"), EXIT.validationFailed, err.details);
}
