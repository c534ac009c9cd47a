// A fork inherits its parent's landings: the fork's trunk is the parent's, so its positions
// 1…P are the parent's (same commits, touched paths, filters and rollups), and blame in the
// fork attributes each line to the session that really wrote it instead of one implicit
// landing holding all of history. The rows point at the parent's sessions, which stay the
// parent's (sessions.project_id): nothing is copied that the fork's trunk does not already
// show — a landing's goal, author and agent are in its commit message and trailers — and
// conversations are read from the parent, where its access rules apply. An inherited
// landing is one whose session belongs to another project; activity (profiles/activity.ts)
// counts it once, where it happened. If the parent is deleted, its sessions go and the
// fork's inherited landings keep position and commit without a session.
import { sql } from "kysely";
import { notAncestors } from "../blame/landing-map.ts";
import type { Db } from "../db/db.ts";
import type { Forge } from "../http/context.ts";
import { trunkHeadOf } from "../landing/git-land.ts";

/**
 * The parent position the fork's trunk is at: the landing whose commit is the fork's trunk
 * (the common case), else the parent's recorded head when the fork's trunk descends from it
 * (pushes to the parent not reconciled yet; trunk reconciliation records the rest). 0: none.
 */
async function inheritedHead(trx: Db, forge: Forge, parentId: string, forkDir: string): Promise<number> {
  const trunk = await trunkHeadOf(forge.git.get(forkDir));
  if (!trunk) return 0;
  const exact = await trx
    .selectFrom("landings")
    .select((eb) => eb.fn.min("position").as("position"))
    .where("project_id", "=", parentId)
    .where("commit_sha", "=", trunk)
    .executeTakeFirst();
  if (exact?.position) return exact.position;
  const head = await trx
    .selectFrom("projects as p")
    .innerJoin("landings as l", (j) =>
      j.onRef("l.project_id", "=", "p.id").onRef("l.position", "=", "p.head_position"),
    )
    .select(["l.position", "l.commit_sha"])
    .where("p.id", "=", parentId)
    .executeTakeFirst();
  if (!head) return 0;
  const outside = await notAncestors(forkDir, [head.commit_sha], trunk, Date.now() + 10_000);
  return outside.size === 0 ? head.position : 0;
}

/** Copies the parent's landing records up to the fork's trunk into the new fork (in `trx`). */
export async function inheritLandings(
  trx: Db,
  forge: Forge,
  parentId: string,
  forkId: string,
  forkDir: string,
): Promise<number> {
  const upTo = await inheritedHead(trx, forge, parentId, forkDir);
  if (upTo === 0) return 0;
  await sql`
    INSERT INTO landings (project_id, position, session_id, commit_sha, parent_sha, paths_count, filter, created_at)
    SELECT ${forkId}, position, session_id, commit_sha, parent_sha, paths_count, filter, created_at
    FROM landings WHERE project_id = ${parentId} AND position <= ${upTo}`.execute(trx);
  await sql`
    INSERT INTO landing_paths (project_id, position, path)
    SELECT ${forkId}, position, path FROM landing_paths
    WHERE project_id = ${parentId} AND position <= ${upTo}`.execute(trx);
  // A rollup block covers positions start … start + 2^level − 1: only whole blocks carry over.
  await sql`
    INSERT INTO landing_rollups (project_id, level, start, data, complete)
    SELECT ${forkId}, level, start, data, complete FROM landing_rollups
    WHERE project_id = ${parentId} AND start - 1 + power(2, level) <= ${upTo}`.execute(trx);
  await trx.updateTable("projects").set({ head_position: upTo }).where("id", "=", forkId).execute();
  return upTo;
}
