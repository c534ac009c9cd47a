// Records landings in the database: positions, touched paths, filters and session states in
// one transaction, guarded by a compare-and-swap on the project's head position.
import { ulid } from "ulid";
import type { Db } from "../db/db.ts";
import { conflict } from "../errors/app-error.ts";
import { scheduleReadmeIndex } from "../search/readme-index.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { forgetIndex, indexFor, indexLanding } from "./filters.ts";
import type { LandOutcome, PendingLanding } from "./land-types.ts";

export async function recordLandings(
  db: Db,
  projectId: string,
  start: number,
  items: PendingLanding[],
): Promise<LandOutcome[]> {
  if (items.length === 0) return [];
  try {
    return await recordInTransaction(db, projectId, start, items);
  } catch (err) {
    forgetIndex(projectId); // it may hold landings that were not stored
    throw err;
  }
}

async function recordInTransaction(db: Db, projectId: string, start: number, items: PendingLanding[]) {
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable("projects")
      .set({ head_position: start + items.length })
      .where("id", "=", projectId)
      .where("head_position", "=", start)
      .returning("head_position")
      .executeTakeFirst();
    if (!moved) throw conflict("Trunk moved while landing; try again");
    await scheduleReadmeIndex(trx, projectId); // trunk's README may have changed
    const index = await indexFor(trx, projectId, start);
    const out: LandOutcome[] = [];
    let position = start;
    for (const item of items) {
      position++;
      let sessionId = item.sessionId;
      if (!sessionId) {
        sessionId = ulid();
        await trx
          .insertInto("sessions")
          .values({
            id: sessionId,
            project_id: projectId,
            author_id: item.implicit?.authorId ?? null,
            author_handle: item.authorHandle,
            goal: item.goal.slice(0, 500),
            origin: "human",
            base_position: position - 1,
            base_commit: item.parent,
          })
          .execute();
      }
      const { filter, rollups } = indexLanding(index, position, item.paths);
      await trx
        .insertInto("landings")
        .values({
          project_id: projectId,
          position,
          session_id: sessionId,
          commit_sha: item.commit,
          parent_sha: item.parent,
          paths_count: item.paths.length,
          filter,
        })
        .execute();
      for (let i = 0; i < item.paths.length; i += 1000) {
        await trx
          .insertInto("landing_paths")
          .values(item.paths.slice(i, i + 1000).map((path) => ({ project_id: projectId, position, path })))
          .execute();
      }
      await trx
        .updateTable("sessions")
        .set({
          status: "landed",
          landed_position: position,
          landed_commit: item.commit,
          landed_at: new Date(),
          updated_at: new Date(),
          touched_paths: item.paths.length,
          lines_added: item.linesAdded,
          lines_removed: item.linesRemoved,
        })
        .where("id", "=", sessionId)
        .execute();
      if (rollups.length) {
        await trx
          .insertInto("landing_rollups")
          .values(
            rollups.map((r) => ({
              project_id: projectId,
              level: r.level,
              start: r.start,
              data: r.bytes,
              complete: true,
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(["project_id", "level", "start"])
              .doUpdateSet((eb) => ({ data: eb.ref("excluded.data"), complete: true })),
          )
          .execute();
      }
      await recordProjectEvent(trx, projectId, "session.landed", {
        session: sessionId,
        position,
        commit: item.commit,
        goal: item.goal,
        author: item.authorHandle,
      });
      out.push({ position, commit: item.commit });
    }
    return out;
  });
}
