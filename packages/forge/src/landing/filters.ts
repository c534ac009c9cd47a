// The bloom-filter index of a project's landings (packages/core/src/bloom): a filter per
// landing and rollups over aligned ranges of positions, kept in memory per project and
// persisted with each landing (landings.filter, landing_rollups) in the same transaction.
// A cached index is rebuilt from the database whenever it disagrees with it.
import { LandingIndex, pathsConflict } from "@micelio/core";
import type { Db } from "../db/db.ts";

const cache = new Map<string, LandingIndex>();
const CHUNK = 1000; // positions per query, well under PostgreSQL's parameter limit

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

/** The project's index, up to date with `head`. */
export async function indexFor(db: Db, projectId: string, head: number): Promise<LandingIndex> {
  let index = cache.get(projectId);
  if (!index || index.head > head) {
    index = new LandingIndex();
    cache.set(projectId, index);
  }
  if (index.head < head) {
    const byPosition = await pathsBetween(db, projectId, index.head, head);
    for (let p = index.head + 1; p <= head; p++) index.addLanding(p, byPosition.get(p) ?? []);
  }
  return index;
}

export const forgetIndex = (projectId: string) => cache.delete(projectId);

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
  const candidates = index.candidates(base, head, paths);
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
