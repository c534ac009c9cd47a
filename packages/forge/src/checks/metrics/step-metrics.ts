// A `run` step's report applied to its result: the metrics and coverage it printed are kept,
// coverage gets its change from trunk's last value, and a step with a `baseline` is compared
// with trunk's value of its metric. A passing step that regresses past its tolerance, or
// that did not print the metric its baseline names, fails; the log says why.
import type { Db } from "../../db/db.ts";
import type { BaselineComparison } from "../../db/schema.ts";
import type { CheckStep } from "../checks-config.ts";
import { baselineLine, compareWithBaseline } from "./baseline.ts";
import { trunkCoverage, trunkMetric } from "./baseline-store.ts";
import { MAX_METRICS, parseStepReport } from "./step-report.ts";

export interface AppliedReport {
  passed: boolean;
  lines: string[];
  columns: {
    metrics: string;
    baseline: string | null;
    coverage: number | null;
    coverage_delta: number | null;
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function applyStepReport(
  db: Db,
  projectId: string,
  step: CheckStep,
  stdout: string,
  passed: boolean,
): Promise<AppliedReport> {
  const report = parseStepReport(stdout);
  const lines: string[] = [];
  if (report.dropped)
    lines.push(`${report.dropped} metric line(s) past the first ${MAX_METRICS} names ignored`);
  let delta: number | null = null;
  if (report.coverage !== null) {
    const base = await trunkCoverage(db, projectId, step.name);
    delta = base === null ? null : round2(report.coverage - base);
    lines.push(
      base === null
        ? `coverage: ${report.coverage}% (no coverage on trunk yet: this is the first)`
        : `coverage: ${report.coverage}% (${delta! >= 0 ? "+" : ""}${delta} vs trunk's ${base}%)`,
    );
  }
  let comparison: BaselineComparison | null = null;
  if (step.baseline) {
    const value = report.metrics[step.baseline.metric] ?? null;
    const base = value === null ? null : await trunkMetric(db, projectId, step.name, step.baseline.metric);
    comparison = compareWithBaseline(step.baseline, value, base);
    lines.push(baselineLine(comparison));
  }
  return {
    passed: passed && !comparison?.regressed && comparison?.value !== null,
    lines,
    columns: {
      metrics: JSON.stringify(report.metrics),
      baseline: comparison ? JSON.stringify(comparison) : null,
      coverage: report.coverage,
      coverage_delta: delta,
    },
  };
}
