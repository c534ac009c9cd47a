// What a `run` step reports besides its exit code, as lines of its standard output:
// `::metric NAME=VALUE` (a performance number, several per step) and
// `::coverage percent=NN.N` (test coverage, 0-100). Names are letters, digits, '.', '_',
// '-' (at most 64); values are finite decimal numbers; a later line for the same name wins.
// At most MAX_METRICS names are kept; other lines are ignored. A pure function.

export const MAX_METRICS = 20;
const METRIC = /^::metric ([A-Za-z0-9][A-Za-z0-9._-]{0,63})=(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;
const COVERAGE = /^::coverage percent=(\d+(?:\.\d*)?|\.\d+)%?\s*$/;

export interface StepReport {
  metrics: Record<string, number>;
  coverage: number | null;
  /** `::metric` lines dropped because MAX_METRICS names were already kept. */
  dropped: number;
}

export function parseStepReport(stdout: string): StepReport {
  const metrics: Record<string, number> = {};
  let coverage: number | null = null;
  let count = 0;
  let dropped = 0;
  for (const raw of stdout.split("\n")) {
    if (!raw.startsWith("::")) continue;
    const line = raw.replace(/\r$/, "");
    const m = METRIC.exec(line);
    if (m) {
      const value = Number(m[2]);
      if (!Number.isFinite(value)) continue;
      if (!Object.hasOwn(metrics, m[1]!)) {
        if (count >= MAX_METRICS) {
          dropped++;
          continue;
        }
        count++;
      }
      metrics[m[1]!] = value;
      continue;
    }
    const c = COVERAGE.exec(line);
    if (c && Number(c[1]) <= 100) coverage = Number(c[1]);
  }
  return { metrics, coverage, dropped };
}
