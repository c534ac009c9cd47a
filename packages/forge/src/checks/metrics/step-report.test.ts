// Step reports and baselines: every `::metric`/`::coverage` line written is read back (the
// last of a name wins, at most MAX_METRICS names, other output ignored); a value regresses
// exactly when it is worse than the baseline by more than the tolerance, in the direction
// the config calls better, and the log line says value against baseline.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baselineLine, compareWithBaseline } from "./baseline.ts";
import { MAX_METRICS, parseStepReport } from "./step-report.ts";

const metricName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const value = fc
  .double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true })
  .map((v) => (Object.is(v, -0) ? 0 : v));
const noise = fc.string().filter((s) => !s.includes("\n") && !s.startsWith("::"));

describe("step report", () => {
  it("reads the metric and coverage lines among any other output", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(metricName, value), { maxLength: 30 }),
        fc.array(noise, { maxLength: 5 }),
        fc.option(fc.integer({ min: 0, max: 1000 }).map((n) => n / 10)),
        (pairs, other, coverage) => {
          const lines = [...other, ...pairs.map(([n, v]) => `::metric ${n}=${v}`)];
          if (coverage !== null) lines.push(`::coverage percent=${coverage}`);
          const report = parseStepReport(lines.join("\n"));
          const kept = new Map<string, number>();
          let dropped = 0;
          for (const [n, v] of pairs)
            if (kept.has(n) || kept.size < MAX_METRICS) kept.set(n, v);
            else dropped++;
          expect(report.metrics).toEqual(Object.fromEntries(kept));
          expect(report.dropped).toBe(dropped);
          expect(report.coverage).toBe(coverage);
        },
      ),
    );
  });

  it("ignores malformed lines and coverage over 100", () => {
    const out =
      "::metric a=1\n::metric b=x\n::metric =3\n  ::metric c=4\n::metric d=1e3\r\n::coverage percent=101\n::coverage percent=87.5%\n";
    expect(parseStepReport(out)).toEqual({ metrics: { a: 1, d: 1000 }, coverage: 87.5, dropped: 0 });
  });
});

describe("baseline", () => {
  const spec = (direction: "higher" | "lower", tolerance: number) => ({ metric: "m", direction, tolerance });
  const positive = fc.double({ min: 0.001, max: 1e6, noNaN: true });

  it("regresses exactly past the tolerance in the worse direction", () => {
    fc.assert(
      fc.property(positive, positive, fc.integer({ min: 0, max: 200 }), fc.boolean(), (v, b, tol, lower) => {
        const c = compareWithBaseline(spec(lower ? "lower" : "higher", tol), v, b);
        const worse = lower ? (v - b) / b : (b - v) / b;
        expect(c.regressed).toBe(worse * 100 > tol + 1e-9);
        expect(c.change).toBeCloseTo(((v - b) / b) * 100, 1);
      }),
    );
  });

  it("sets the first baseline, and says value against baseline", () => {
    const first = compareWithBaseline(spec("lower", 10), 120, null);
    expect(first).toMatchObject({ regressed: false, change: null, baseline: null });
    expect(baselineLine(first)).toContain("sets the first baseline");
    const slow = compareWithBaseline(spec("lower", 10), 130, 100);
    expect(slow).toMatchObject({ regressed: true, change: 30 });
    expect(baselineLine(slow)).toBe(
      "m: 130 vs baseline 100 (+30%): worse than trunk by more than the 10% tolerance (lower is better)",
    );
    expect(compareWithBaseline(spec("higher", 10), 95, 100).regressed).toBe(false);
    expect(compareWithBaseline(spec("higher", 0), 1, 0).regressed).toBe(false);
    expect(compareWithBaseline(spec("lower", 50), 1, 0).regressed).toBe(true);
    expect(baselineLine(compareWithBaseline(spec("lower", 5), null, null))).toContain("printed no");
  });
});
