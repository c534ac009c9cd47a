// The bloom-filter index of a project's landings (packages/core/src/bloom): a filter per
// landing and rollups over aligned ranges of positions, kept in memory per project and
// persisted with each landing (landings.filter, landing_rollups) in the same transaction.
// A cached index is rebuilt from the database whenever it disagrees with it.
// Memory is bounded twice: each index keeps at most MICELIO_LANDING_INDEX_BYTES (2 MiB) of
// summaries, the most recently used (a check from an old base loads what it needs back from
// the database), and the cache keeps the most recently used projects' indexes up to
// MICELIO_LANDING_INDEX_TOTAL_BYTES (32 MiB) and 256 projects: past the total, the least
// recently used indexes drop their summaries first and are dropped whole (to be replayed from
// landing_paths) only when that is not enough.
import {
  type BlockRecord,
  type BlockRef,
  LandingIndex,
  pathsConflict,
  type SummaryLoader,
} from "@micelio/core";
import type { Db } from "../db/db.ts";

const MiB = 1024 * 1024;
/** A byte count from the environment; the default when unset or not a number ≥ 0. */
const envBytes = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? Number.NaN);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
};
const DEFAULT_LIMITS = {
  projectBytes: envBytes("MICELIO_LANDING_INDEX_BYTES", 2 * MiB),
  totalBytes: envBytes("MICELIO_LANDING_INDEX_TOTAL_BYTES", 32 * MiB),
  maxProjects: 256,
};
let limits = { ...DEFAULT_LIMITS };
/** Indexes by project id, least recently used first. */
const cache = new Map<string, LandingIndex>();
const CHUNK = 1000; // positions per query, well under PostgreSQL's parameter limit
/** Summaries loaded back from the database since the process started. */
let loadedSummaries = 0;

/** Sets the cache's bounds (tests shrink them); without an argument, restores the defaults. */
export function setIndexLimits(next: Partial<typeof DEFAULT_LIMITS> = DEFAULT_LIMITS, clear = true) {
  limits = { ...DEFAULT_LIMITS, ...next };
  if (clear) cache.clear();
}

function groupPaths(rows: { position: number; path: string }[]) {
  const byPosition = new Map<number, string[]>();
  for (const r of rows) {
    const list = byPosition.get(r.position);
    if (list) list.push(r.path);
    else byPosition.set(r.position, [r.path]);
  }
  return byPosition;
}

const pathsBetween = async (db: Db, projectId: string, after: number, upTo: number) =>
  groupPaths(
    await db
      .selectFrom("landing_paths")
      .select(["position", "path"])
      .where("project_id", "=", projectId)
      .where("position", ">", after)
      .where("position", "<=", upTo)
      .execute(),
  );

/** Drops the least recently used indexes past the cache's bounds (never the one in use). */
function trim() {
  let total = 0;
  for (const index of cache.values()) total += index.residentBytes;
  // First the least recently used projects' summaries (loaded again when needed): keeping an
  // index's open blocks spares a replay of the project's whole history.
  let used = cache.size;
  for (const index of cache.values()) {
    if (total <= limits.totalBytes || --used === 0) break;
    const before = index.residentBytes;
    index.shrink(0);
    total -= before - index.residentBytes;
  }
  for (const [id, index] of cache) {
    if (cache.size <= 1 || (total <= limits.totalBytes && cache.size <= limits.maxProjects)) break;
    cache.delete(id);
    total -= index.residentBytes;
  }
}

/** The project's index, up to date with `head`. */
export async function indexFor(db: Db, projectId: string, head: number): Promise<LandingIndex> {
  let index = cache.get(projectId);
  if (!index || index.head > head) index = new LandingIndex({ residentBytes: limits.projectBytes });
  cache.delete(projectId);
  cache.set(projectId, index);
  // In chunks; another caller may bring it forward meanwhile, so start from its head each time.
  while (index.head < head) {
    const upTo = Math.min(head, index.head + CHUNK);
    const byPosition = await pathsBetween(db, projectId, index.head, upTo);
    for (let p = index.head + 1; p <= upTo; p++) index.addLanding(p, byPosition.get(p) ?? []);
  }
  trim();
  return index;
}

export const forgetIndex = (projectId: string) => cache.delete(projectId);

/** Project ids whose indexes are cached, least recently used first. */
export const cachedIndexes = () => [...cache.keys()];

/** What the cache holds: projects, estimated bytes, and summaries loaded back so far. */
export function indexCacheStats() {
  let bytes = 0;
  for (const index of cache.values()) bytes += index.residentBytes;
  return { projects: cache.size, bytes, loadedSummaries };
}

/** Loads stored filters (landings.filter) and complete rollups of a project, as copies. */
const loaderFor =
  (db: Db, projectId: string): SummaryLoader =>
  async (blocks: BlockRef[]) => {
    const out: BlockRecord[] = [];
    const byLevel = new Map<number, number[]>();
    for (const b of blocks) {
      const starts = byLevel.get(b.level);
      if (starts) starts.push(b.start);
      else byLevel.set(b.level, [b.start]);
    }
    for (const [level, starts] of byLevel) {
      for (let i = 0; i < starts.length; i += CHUNK) {
        const chunk = starts.slice(i, i + CHUNK);
        const rows =
          level === 0
            ? await db
                .selectFrom("landings")
                .select(["position as start", "filter as data"])
                .where("project_id", "=", projectId)
                .where("position", "in", chunk)
                .execute()
            : await db
                .selectFrom("landing_rollups")
                .select(["start", "data"])
                .where("project_id", "=", projectId)
                .where("level", "=", level)
                .where("start", "in", chunk)
                .where("complete", "=", true)
                .execute();
        // A copy: a driver's Buffer may be a view of a larger shared one.
        for (const r of rows)
          out.push({ level, start: r.start, count: 2 ** level, bytes: new Uint8Array(r.data) });
        loadedSummaries += rows.length;
      }
    }
    return out;
  };

/**
 * Adds a landing to the index and returns what to store: the landing's own filter and the
 * rollup blocks it completed.
 */
export function indexLanding(index: LandingIndex, position: number, paths: string[]) {
  const records = index.addLanding(position, paths);
  const own = records.find((r) => r.level === 0 && r.start === position);
  return { filter: own?.bytes ?? new Uint8Array(), rollups: records.filter((r) => r.level > 0) };
}

/** Positions in (base, head] whose landings conflict with `paths`, with the conflicting paths. */
export async function conflictingPositions(
  db: Db,
  projectId: string,
  base: number,
  head: number,
  paths: string[],
) {
  const out = new Map<number, string[]>();
  if (head <= base || paths.length === 0) return out;
  const index = await indexFor(db, projectId, head);
  const { candidates } = await index.queryLoading(base, head, paths, loaderFor(db, projectId));
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const chunk = candidates.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom("landing_paths")
      .select(["position", "path"])
      .where("project_id", "=", projectId)
      .where("position", "in", chunk)
      .execute();
    const byPosition = groupPaths(rows);
    for (const position of chunk) {
      const hit = pathsConflict(paths, byPosition.get(position) ?? []);
      if (hit.length) out.set(position, hit);
    }
  }
  return out;
}
