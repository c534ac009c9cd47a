// Conflict detection: a session conflicts with every landing after its base that touched
// one of its paths (or a file or directory containing or inside one). Every path the
// session touched is compared, always; the bloom index only narrows which landings are
// compared exactly (filters.ts).
import type { Db } from "../db/db.ts";
import { conflictingPositions } from "./filters.ts";
import type { ConflictDetail } from "./land-types.ts";

export async function findConflicts(
  db: Db,
  projectId: string,
  base: number,
  head: number,
  paths: string[],
): Promise<ConflictDetail[]> {
  const hits = await conflictingPositions(db, projectId, base, head, paths);
  if (hits.size === 0) return [];
  const positions = [...hits.keys()];
  const landings = [];
  for (let i = 0; i < positions.length; i += 1000) {
    landings.push(
      ...(await db
        .selectFrom("landings as l")
        .leftJoin("sessions as s", "s.id", "l.session_id")
        .select(["l.position", "l.session_id", "s.goal", "s.author_handle", "s.agent_name", "s.agent_model"])
        .where("l.project_id", "=", projectId)
        .where("l.position", "in", positions.slice(i, i + 1000))
        .execute()),
    );
  }
  const out: ConflictDetail[] = [];
  for (const l of landings.sort((a, b) => a.position - b.position)) {
    for (const path of hits.get(l.position) ?? []) {
      out.push({
        path,
        position: l.position,
        session_id: l.session_id,
        goal: l.goal,
        author: l.author_handle,
        agent: l.agent_name ? [l.agent_name, l.agent_model].filter(Boolean).join(":") : null,
      });
    }
  }
  return out;
}
