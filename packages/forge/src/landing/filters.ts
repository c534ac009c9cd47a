// The bloom-filter index of a project's landings (packages/core/src/bloom): a filter per
// landing and rollups over aligned ranges of positions, kept in memory per project and
// persisted with each landing (landings.filter, landing_rollups) in the same transaction.
// A cached index is rebuilt from the database whenever it disagrees with it.
import { LandingIndex, pathsConflict } from "@micelio/core";
import type { Db } from "../db/db.ts";

const cache = new Map<string, LandingIndex>();

async function build(db: Db, projectId: string, head: number): Promise<LandingIndex> {
  const rows = await db
    .selectFrom("landing_paths")
    .select(["position", "path"])
    .where("project_id", "=", projectId)
    .where("position", "<=", head)
    .orderBy("position")
    .execute();
  const byPosition = new Map<number, string[]>();
  for (const r of rows) {
    const list = byPosition.get(r.position) ?? [];
    list.push(r.path);
    byPosition.set(r.position, list);
  }
  const index = new LandingIndex();
  for (let p = 1; p <= head; p++) index.addLanding(p, byPosition.get(p) ?? []);
  return index;
}

/** The project's index, up to date with `head`. */
export async function indexFor(db: Db, projectId: string, head: number): Promise<LandingIndex> {
  let index = cache.get(projectId);
  if (!index || index.head > head) {
    index = await build(db, projectId, head);
    cache.set(projectId, index);
  } else if (index.head < head) {
    const rows = await db
      .selectFrom("landing_paths")
      .select(["position", "path"])
      .where("project_id", "=", projectId)
      .where("position", ">", index.head)
      .where("position", "<=", head)
      .execute();
    for (let p = index.head + 1; p <= head; p++)
      index.addLanding(
        p,
        rows.filter((r) => r.position === p).map((r) => r.path),
      );
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
  if (head <= base || paths.length === 0) return new Map<number, string[]>();
  const index = await indexFor(db, projectId, head);
  const candidates = index.candidates(base, head, paths);
  const out = new Map<number, string[]>();
  if (candidates.length === 0) return out;
  const rows = await db
    .selectFrom("landing_paths")
    .select(["position", "path"])
    .where("project_id", "=", projectId)
    .where("position", "in", candidates)
    .execute();
  for (const position of candidates) {
    const landed = rows.filter((r) => r.position === position).map((r) => r.path);
    const hit = pathsConflict(paths, landed);
    if (hit.length) out.set(position, hit);
  }
  return out;
}
