// A validation step's figures on the session page: its coverage with the change from trunk,
// its baseline metric (value, trunk's baseline, change, and whether it regressed), and the
// other metrics it printed. Text only, escaped by JSX; nothing when the step printed none.
import type { BaselineComparison } from "../../db/schema.ts";

interface Figures {
  metrics: Record<string, number>;
  baseline: BaselineComparison | null;
  coverage: number | null;
  coverage_delta: number | null;
}

const signed = (n: number, unit = "") => `${n > 0 ? "+" : ""}${n}${unit}`;

export function StepFigures({ step }: { step: Figures }) {
  const others = Object.entries(step.metrics ?? {}).filter(([name]) => name !== step.baseline?.metric);
  const b = step.baseline;
  if (step.coverage === null && !b && !others.length) return null;
  return (
    <ul class="validation-figures">
      {step.coverage !== null ? (
        <li class="validation-coverage">
          coverage {step.coverage}%
          {step.coverage_delta !== null ? ` (${signed(step.coverage_delta)} vs trunk)` : " (first on trunk)"}
        </li>
      ) : null}
      {b ? (
        <li class={`validation-baseline${b.regressed ? " regressed" : ""}`}>
          {b.metric} {b.value ?? "not reported"}
          {b.baseline === null
            ? b.value === null
              ? ""
              : " (sets the first baseline)"
            : ` vs baseline ${b.baseline}${b.change === null ? "" : ` (${signed(b.change, "%")})`}`}
          {b.regressed ? ` · worse than the ${b.tolerance}% tolerance` : ""}
        </li>
      ) : null}
      {others.map(([name, value]) => (
        <li class="validation-metric">
          {name} {value}
        </li>
      ))}
    </ul>
  );
}
