// Records landings in the database: positions, touched paths, filters, session states and
// events in one transaction, guarded by a compare-and-swap on the project's head position.
// An epoch's landings are written with a few multi-row statements, not a few per landing.
// The transaction also tells every forge process, on commit, that the project has new
// events and that its trunk moved (db/notify-bus.ts).

import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { README } from "../browse/browse-service.ts";
import type { Db } from "../db/db.ts";
import { notify } from "../db/notify-bus.ts";
import { conflict } from "../errors/app-error.ts";
import { scheduleReadmeIndex } from "../search/readme-index.ts";
import { PROJECT_EVENTS_CHANNEL } from "../sessions/project-events.ts";
import { forgetIndex, indexFor, indexLanding } from "./filters.ts";
import type { LandOutcome, PendingLanding } from "./land-types.ts";

/** The bus channel that says "this project's trunk moved"; the payload is the project id. */
export const REFS_CHANNEL = "refs";

const ROWS = 1000; // rows per multi-row statement, well under PostgreSQL's parameter limit

/** Records `items` as positions start+1…; inside a transaction when `db` is one already. */
export async function recordLandings(
  db: Db,
  projectId: string,
  start: number,
  items: PendingLanding[],
): Promise<LandOutcome[]> {
  if (items.length === 0) return [];
  try {
    return db.isTransaction
      ? await recordIn(db, projectId, start, items)
      : await db.transaction().execute((trx) => recordIn(trx, projectId, start, items));
  } catch (err) {
    forgetIndex(projectId); // it may hold landings that were not stored
    throw err;
  }
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += ROWS) await insert(rows.slice(i, i + ROWS));
}

async function recordIn(trx: Db, projectId: string, start: number, items: PendingLanding[]) {
  const moved = await trx
    .updateTable("projects")
    .set({ head_position: start + items.length })
    .where("id", "=", projectId)
    .where("head_position", "=", start)
    .returning("head_position")
    .executeTakeFirst();
  if (!moved) throw conflict("Trunk moved while landing; try again");
  // Trunk's README changed only if a landing touched a path at the top named like one.
  if (items.some((i) => i.paths.some((path) => README.test(path)))) await scheduleReadmeIndex(trx, projectId);
  const index = await indexFor(trx, projectId, start);
  const now = new Date();
  const landings = [];
  const paths: { project_id: string; position: number; path: string }[] = [];
  const rollups = new Map<string, { project_id: string; level: number; start: number; data: Uint8Array }>();
  const landed: { id: string; position: number; item: PendingLanding }[] = [];
  const events = [];
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
    const { filter, rollups: blocks } = indexLanding(index, position, item.paths);
    landings.push({
      project_id: projectId,
      position,
      session_id: sessionId,
      commit_sha: item.commit,
      parent_sha: item.parent,
      paths_count: item.paths.length,
      filter,
    });
    for (const path of item.paths) paths.push({ project_id: projectId, position, path });
    // A block completed again by a later landing of the epoch keeps its latest bytes.
    for (const r of blocks)
      rollups.set(`${r.level}:${r.start}`, {
        project_id: projectId,
        level: r.level,
        start: r.start,
        data: r.bytes,
      });
    landed.push({ id: sessionId, position, item });
    events.push({
      project_id: projectId,
      type: "session.landed",
      data: JSON.stringify({
        session: sessionId,
        position,
        commit: item.commit,
        goal: item.goal,
        author: item.authorHandle,
        ...(item.landedBy ? { actor: item.landedBy } : {}),
      }),
    });
  }
  await insertChunked(landings, (rows) => trx.insertInto("landings").values(rows).execute());
  await insertChunked(paths, (rows) => trx.insertInto("landing_paths").values(rows).execute());
  const rowsAfter = new Map<string, Record<string, unknown>>();
  await insertChunked(landed, async (rows) => {
    for (const row of await markLanded(trx, rows, now)) rowsAfter.set(row.id as string, row);
  });
  await insertChunked([...rollups.values()], (rows) =>
    trx
      .insertInto("landing_rollups")
      .values(rows.map((r) => ({ ...r, complete: true })))
      .onConflict((oc) =>
        oc
          .columns(["project_id", "level", "start"])
          .doUpdateSet((eb) => ({ data: eb.ref("excluded.data"), complete: true })),
      )
      .execute(),
  );
  await insertChunked(events, (rows) => trx.insertInto("project_events").values(rows).execute());
  await notify(trx, PROJECT_EVENTS_CHANNEL, projectId);
  await notify(trx, REFS_CHANNEL, projectId);
  return landed.map(
    (l): LandOutcome => ({ position: l.position, commit: l.item.commit, session: rowsAfter.get(l.id) }),
  );
}

/** Marks an epoch's sessions landed with one UPDATE … FROM (VALUES …); returns their rows. */
async function markLanded(
  trx: Db,
  rows: { id: string; position: number; item: PendingLanding }[],
  now: Date,
) {
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.id}::text, ${r.position}::int, ${r.item.commit}::text, ${r.item.paths.length}::int, ${r.item.linesAdded}::int, ${r.item.linesRemoved}::int)`,
    ),
  );
  const { rows: after } = await sql<Record<string, unknown>>`
    UPDATE sessions AS s SET
      status = 'landed', landed_position = v.position, landed_commit = v.sha, landed_at = ${now},
      updated_at = ${now}, touched_paths = v.touched, lines_added = v.added, lines_removed = v.removed
    FROM (VALUES ${values}) AS v(id, position, sha, touched, added, removed)
    WHERE s.id = v.id
    RETURNING s.*`.execute(trx);
  return after;
}
