// A performance step's value against trunk's baseline: the change in percent from the
// baseline, and whether it is worse by more than the tolerance in the direction the config
// calls better (`lower`: times, sizes; `higher`: throughput). With no baseline yet the value
// becomes the first one. A baseline of 0 has no percent change: any worse value regresses.
import type { BaselineComparison } from "../../db/schema.ts";

export interface BaselineSpec {
  metric: string;
  direction: "higher" | "lower";
  tolerance: number;
}

export function compareWithBaseline(
  spec: BaselineSpec,
  value: number | null,
  baseline: number | null,
): BaselineComparison {
  const base = { ...spec, value, baseline };
  if (value === null || baseline === null) return { ...base, change: null, regressed: false };
  const worse = spec.direction === "lower" ? value - baseline : baseline - value;
  if (baseline === 0) return { ...base, change: null, regressed: worse > 0 };
  const change = Math.round(((value - baseline) / Math.abs(baseline)) * 10000) / 100;
  const worsePercent = (worse / Math.abs(baseline)) * 100;
  return { ...base, change, regressed: worsePercent > spec.tolerance + 1e-9 };
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** The log line saying how the step compares with trunk. */
export function baselineLine(c: BaselineComparison): string {
  if (c.value === null) return `${c.metric}: the step printed no \`::metric ${c.metric}=VALUE\` line`;
  if (c.baseline === null)
    return `${c.metric}: ${fmt(c.value)}, no baseline on trunk yet: this sets the first baseline`;
  const change = c.change === null ? "" : ` (${c.change > 0 ? "+" : ""}${c.change}%)`;
  const verdict = c.regressed
    ? `worse than trunk by more than the ${c.tolerance}% tolerance (${c.direction} is better)`
    : `within the ${c.tolerance}% tolerance (${c.direction} is better)`;
  return `${c.metric}: ${fmt(c.value)} vs baseline ${fmt(c.baseline)}${change}: ${verdict}`;
}
