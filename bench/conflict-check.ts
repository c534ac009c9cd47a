// Benchmark: conflict checks against 1k, 10k and 100k landed positions, in process, with the
// positional rollup index of packages/core (LandingIndex.query, then the exact pathsConflict
// on the candidates' paths — what the forge does in landing/filters.ts, minus the database)
// against a linear scan calling pathsConflict on every landing in (base, head], and against a
// stronger linear scan over pre-expanded path sets. Every query's conflict set must be the
// same for all three methods, or the benchmark aborts. The forge's bounded index (a residentBytes
// budget, 2 MiB as in landing/filters.ts, loading what it dropped through queryLoading from an
// in-memory store standing in for the database) must return the same candidates as the
// unbounded one; its row counts the loader calls a query makes (each a database round trip
// in the forge, not timed here).
//
// Landings touch 1–8 paths (mostly 1–3) from a tree of 20,000 files in ~1,500 nested
// directories; file popularity is Zipf-distributed, and a landing's further paths are often
// siblings of its first. Sessions touch 3–10 paths drawn the same way.
// Run: npx tsx bench/conflict-check.ts [sizes=1000,10000,100000] [zipf exponent=0.6] [seed=1]
import { loadavg } from "node:os";
import {
  type BlockRecord,
  type BlockRef,
  conflictProbes,
  expandPaths,
  LandingIndex,
  pathsConflict,
  probeHashes,
} from "@micelio/core";

const SIZES = (process.argv[2] ?? "1000,10000,100000").split(",").map(Number);
const ZIPF = Number(process.argv[3] ?? 0.6);
const SEED = Number(process.argv[4] ?? 1);
const LOAD_AT_START = loadavg()[0];
const BOUNDED_BYTES = 2 * 1024 * 1024;
const FILES = 20_000;
const DIRS = 1_500;
const SIBLING = 0.6; // chance that a further path of a change is a sibling of its first path
const DIR_ENTRY = 0.002; // chance that a touched path is a directory's own path (file ↔ dir swaps)

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

// ---- The repository: nested directories, files, Zipf popularity over a random file order.
const WORDS = ["src", "lib", "app", "api", "core", "util", "ui", "db", "auth", "test", "docs", "cmd"];
const dirs: { path: string; depth: number; files: string[] }[] = [{ path: "", depth: 0, files: [] }];
for (let i = 0; dirs.length <= DIRS; i++) {
  const parent = pick(dirs);
  if (parent.depth >= 6) continue;
  const name = `${pick(WORDS)}${i}`;
  dirs.push({ path: parent.path ? `${parent.path}/${name}` : name, depth: parent.depth + 1, files: [] });
}
const files: { path: string; dir: (typeof dirs)[number] }[] = [];
for (let i = 0; i < FILES; i++) {
  const dir = rand() < 0.01 ? dirs[0] : dirs[1 + Math.floor(rand() * DIRS)];
  const path = `${dir.path ? `${dir.path}/` : ""}${pick(WORDS)}_${i}.ts`;
  dir.files.push(path);
  files.push({ path, dir });
}
for (let i = files.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [files[i], files[j]] = [files[j], files[i]];
}
const cdf = new Float64Array(FILES);
for (let r = 0, sum = 0; r < FILES; r++) cdf[r] = sum += 1 / (r + 1) ** ZIPF;
for (let r = 0; r < FILES; r++) cdf[r] /= cdf[FILES - 1];
function zipfFile() {
  const u = rand();
  let lo = 0;
  let hi = FILES - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return files[lo];
}

/** The touched paths of one change: count paths, the first by popularity, then often siblings. */
function change(count: number): string[] {
  const first = zipfFile();
  const out = new Set<string>([first.path]);
  for (let guard = 0; out.size < count && guard < 100; guard++) {
    if (rand() < DIR_ENTRY && first.dir.path) out.add(first.dir.path);
    else if (rand() < SIBLING) out.add(pick(first.dir.files));
    else out.add(zipfFile().path);
  }
  return [...out];
}
const LANDING_SIZES = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8]; // 1–8 paths, mostly small
const landingCount = () => pick(LANDING_SIZES);
const sessionCount = () => 3 + Math.floor(rand() * 8); // 3–10

// ---- The landings, and the indexes over their prefixes.
const maxSize = Math.max(...SIZES);
const landings = Array.from({ length: maxSize }, () => change(landingCount()));
const expanded = landings.map((paths) => expandPaths(paths));

type Conflicts = Map<number, string[]>;
const key = (m: Conflicts) => JSON.stringify([...m].sort((a, b) => a[0] - b[0]));

function rollups(index: LandingIndex, base: number, head: number, paths: string[]) {
  const t = performance.now();
  const { candidates, tested } = index.query(base, head, paths);
  const queryMs = performance.now() - t;
  const out: Conflicts = new Map();
  for (const position of candidates) {
    const hit = pathsConflict(paths, landings[position - 1]);
    if (hit.length) out.set(position, hit);
  }
  return { out, tested, candidates: candidates.length, queryMs };
}

function linear(base: number, head: number, paths: string[]) {
  const out: Conflicts = new Map();
  for (let position = base + 1; position <= head; position++) {
    const hit = pathsConflict(paths, landings[position - 1]);
    if (hit.length) out.set(position, hit);
  }
  return out;
}

/** The best linear scan: probes built once, tested against each landing's pre-expanded set. */
function linearExpanded(base: number, head: number, paths: string[]) {
  const probes = [...conflictProbes(paths)];
  const out: Conflicts = new Map();
  for (let position = base + 1; position <= head; position++) {
    const set = expanded[position - 1];
    if (!probes.some((p) => set.has(p))) continue;
    out.set(position, pathsConflict(paths, landings[position - 1]));
  }
  return out;
}

function timed<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.95 * xs.length) - 1)];
const us = (ms: number) => Number((ms * 1000).toFixed(1));

const checks = [];
const indexes = [];
for (const size of SIZES) {
  const index = new LandingIndex();
  const [, buildMs] = timed(() => {
    for (let p = 1; p <= size; p++) index.addLanding(p, landings[p - 1]);
  });
  const bounded = new LandingIndex({ residentBytes: BOUNDED_BYTES });
  const stored = new Map<string, BlockRecord>();
  const [, boundedBuildMs] = timed(() => {
    for (let p = 1; p <= size; p++)
      for (const r of bounded.addLanding(p, landings[p - 1])) stored.set(`${r.level}:${r.start}`, r);
  });
  let loads = 0;
  const load = async (blocks: BlockRef[]) => {
    loads++;
    return blocks.flatMap((b) => stored.get(`${b.level}:${b.start}`) ?? []);
  };
  const bytes = index.records().reduce((n, r) => n + r.bytes.length, 0);
  const distances = [...new Set([100, 1000, size].filter((d) => d <= size))];
  // Warm the JIT on this index before measuring.
  for (let i = 0; i < 20; i++) {
    const s = change(sessionCount());
    rollups(index, size - 100, size, s);
    linear(size - 100, size, s);
    linearExpanded(size - 100, size, s);
  }
  for (const distance of distances) {
    const base = size - distance;
    const queries = Math.max(20, Math.min(500, Math.round(200_000 / distance)));
    const sessions = Array.from({ length: queries }, () => change(sessionCount()));
    const tRoll: number[] = [];
    const tLin: number[] = [];
    const tExp: number[] = [];
    const tQuery: number[] = [];
    const tProbe: number[] = [];
    const tested: number[] = [];
    const tBounded: number[] = [];
    const loadCalls: number[] = [];
    const candidates: number[] = [];
    const conflicting: number[] = [];
    for (const s of sessions) {
      const [a, ta] = timed(() => rollups(index, base, size, s));
      const [b, tb] = timed(() => linear(base, size, s));
      const [c, tc] = timed(() => linearExpanded(base, size, s));
      const ka = key(a.out);
      if (ka !== key(b) || ka !== key(c)) {
        console.error({ size, base, session: s, rollups: ka, linear: key(b), linearExpanded: key(c) });
        throw new Error("conflict sets differ between methods: aborting");
      }
      const before = loads;
      const t = performance.now();
      const got = await bounded.queryLoading(base, size, s, load);
      tBounded.push(performance.now() - t);
      loadCalls.push(loads - before);
      if (JSON.stringify(got) !== JSON.stringify(index.query(base, size, s))) {
        console.error({ size, base, session: s, bounded: got });
        throw new Error("the bounded index answered differently: aborting");
      }
      tRoll.push(ta);
      tQuery.push(a.queryMs);
      tLin.push(tb);
      tExp.push(tc);
      tested.push(a.tested);
      candidates.push(a.candidates);
      conflicting.push(a.out.size);
    }
    // Hashing a session's probes (SHA-256 each), timed on its own in a warm loop.
    const [, probeMs] = timed(() => {
      for (const s of sessions) probeHashes(s);
    });
    tProbe.push(probeMs / queries);
    const clean = tRoll.filter((_, i) => conflicting[i] === 0);
    const row = {
      landed: size,
      distance,
      queries,
      with_conflict: Number((conflicting.filter((n) => n > 0).length / queries).toFixed(2)),
      conflicting_positions_mean: Number(mean(conflicting).toFixed(1)),
      rollups: {
        mean_us: us(mean(tRoll)),
        p95_us: us(p95(tRoll)),
        mean_us_without_conflict: clean.length ? us(mean(clean)) : null,
        index_query_us: us(mean(tQuery)),
        probe_hashing_us: us(mean(tProbe)),
        exact_check_us: us(mean(tRoll) - mean(tQuery)),
        summaries_tested_mean: Number(mean(tested).toFixed(1)),
        candidates_mean: Number(mean(candidates).toFixed(1)),
      },
      rollups_bounded: {
        index_query_us: us(mean(tBounded)),
        p95_us: us(p95(tBounded)),
        loader_calls_mean: Number(mean(loadCalls).toFixed(2)),
        resident_bytes: bounded.cached.bytes,
      },
      linear: { mean_us: us(mean(tLin)), p95_us: us(p95(tLin)), landings_scanned: distance },
      linear_preexpanded: { mean_us: us(mean(tExp)), p95_us: us(p95(tExp)) },
      ratio_linear_over_rollups: Number((mean(tLin) / mean(tRoll)).toFixed(1)),
      ratio_preexpanded_over_rollups: Number((mean(tExp) / mean(tRoll)).toFixed(1)),
    };
    checks.push(row);
    console.error(
      `${size} landed, h−b=${distance}: rollups ${row.rollups.mean_us} µs, linear ${row.linear.mean_us} µs`,
    );
  }
  indexes.push({
    landed: size,
    build_ms: Math.round(buildMs),
    index_build_us_per_landing: us(buildMs / size),
    index_bytes_per_landing: Number((bytes / size).toFixed(1)),
    bounded_build_us_per_landing: us(boundedBuildMs / size),
    bounded_resident: bounded.cached,
  });
}
const pathsPerLanding = mean(landings.map((l) => l.length));
console.log(
  JSON.stringify(
    {
      files: FILES,
      directories: DIRS,
      load_average_1m: { start: LOAD_AT_START, end: loadavg()[0] },
      zipf_exponent: ZIPF,
      seed: SEED,
      paths_per_landing_mean: Number(pathsPerLanding.toFixed(2)),
      all_methods_agree: true,
      indexes,
      checks,
    },
    null,
    2,
  ),
);
