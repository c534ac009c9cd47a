// The quality gate's refusal as mic prints it: each failing step with why, its baseline and
// coverage figures when it has them, and the end of its log.
import { describe, expect, it } from "vitest";
import { stepFigures, validationLines } from "./validation.ts";

const step = {
  name: "bench",
  category: "performance",
  status: "failed",
  exit_code: 0,
  killed: null,
  log_excerpt: "ms: 150 vs baseline 100\n",
  log_url: "/log",
};

describe("validation lines", () => {
  it("prints a failing step's baseline and coverage", () => {
    const failing = {
      ...step,
      baseline: { metric: "ms", value: 150, baseline: 100, change: 50 },
      coverage: 82.5,
      coverage_delta: -1.5,
    };
    const lines = validationLines({
      score: 50,
      min_score: 100,
      iteration: 2,
      status: "failed",
      error: null,
      shortfalls: [],
      steps: [failing, { ...step, name: "ok", status: "passed" }],
    });
    expect(lines).toContain("  ✗ bench [performance]: exit 0");
    expect(lines).toContain("      ms 150 vs baseline 100 (+50%), coverage 82.5% (-1.5 vs trunk)");
    expect(lines.join("\n")).not.toContain("ok [");
  });

  it("says when a step sets the first baseline, and prints nothing without figures", () => {
    expect(stepFigures({ ...step, baseline: { metric: "ms", value: 9, baseline: null, change: null } })).toBe(
      "ms 9 (first baseline)",
    );
    expect(stepFigures({ ...step, coverage: 70, coverage_delta: null })).toBe("coverage 70%");
    expect(stepFigures(step)).toBe("");
  });
});
