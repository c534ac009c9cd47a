// Benchmark: one ULID from the `ulid` package (Web Crypto asked once per random character)
// against @micelio/core/ulid (random bytes from a pooled buffer), in process, alternating.
// Run: npx tsx bench/ulid.ts [ids per round=100000] [rounds=5]
import { ulid as pkg } from "ulid";
import { ulid as core } from "../packages/core/src/ulid.ts";
import { median } from "./lib.ts";

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const round = (f: () => string) => {
  const t = performance.now();
  for (let i = 0; i < N; i++) f();
  return ((performance.now() - t) * 1000) / N; // µs per id
};
const times = { package: [] as number[], core: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  times.package.push(round(pkg));
  times.core.push(round(core));
}
const fmt = (xs: number[]) =>
  [Math.min(...xs), median(xs), Math.max(...xs)].map((x) => x.toFixed(2)).join(" / ");
console.log(`µs per id, min / median / max of ${ROUNDS} rounds of ${N}:`);
console.log(`  ulid package      ${fmt(times.package)}`);
console.log(`  @micelio/core     ${fmt(times.core)}`);
