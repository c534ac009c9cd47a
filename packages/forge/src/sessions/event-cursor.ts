// One consumer of the project event stream with its own cursor: the webhook, notification and
// federation fan-outs. Event ids come from a sequence, so a transaction that commits late makes
// an id appear behind the cursor; the cursor row remembers those ids it passed while they were
// not visible ("gaps") and asks for them again on the next runs, until they appear or fall
// LOOKBACK ids behind (a rolled-back transaction leaves a gap for ever). So each event is read
// once, not once per run as a fixed look-back window would.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";

export type CursorTable = "webhook_cursor" | "notification_cursor" | "federation_cursor";

export const LOOKBACK = 2000;

/** The gaps to remember after a run that read (from, upto] and the old gaps and saw `visible`. */
export function nextGaps(
  from: number,
  upto: number,
  oldGaps: readonly number[],
  visible: readonly number[],
  lookback = LOOKBACK,
): number[] {
  const seen = new Set(visible);
  const floor = upto - lookback;
  const out = new Set<number>();
  for (const id of oldGaps) if (id > floor && !seen.has(id)) out.add(id);
  for (let id = Math.max(from + 1, floor + 1); id <= upto; id++) if (!seen.has(id)) out.add(id);
  return [...out].sort((a, b) => a - b);
}

/**
 * Runs `handle` on the ids of the events not consumed yet (at most `batch` new ids past the
 * cursor, plus late ones), in one transaction holding the cursor row; the cursor moves in that
 * transaction. Answers what `handle` returned and whether more events wait past this batch.
 */
export async function consumeEvents<T>(
  db: Db,
  table: CursorTable,
  batch: number,
  handle: (trx: Db, ids: number[]) => Promise<T>,
): Promise<{ result: T | null; more: boolean }> {
  return db.transaction().execute(async (trx) => {
    const cursor = await sql<{ event_id: number; gaps: (number | string)[] }>`
      SELECT event_id, gaps FROM ${sql.table(table)} WHERE id = 1 FOR UPDATE`.execute(trx);
    const from = Number(cursor.rows[0]?.event_id ?? 0);
    const gaps = (cursor.rows[0]?.gaps ?? []).map(Number);
    const top = await sql<{ max: number | null }>`SELECT max(id) AS max FROM project_events`.execute(trx);
    const max = Number(top.rows[0]?.max ?? from);
    const upto = Math.max(from, Math.min(max, from + batch));
    if (upto === from && gaps.length === 0) return { result: null, more: false };
    const { rows } = await sql<{ id: number | string }>`
      SELECT id FROM project_events
      WHERE (id > ${from} AND id <= ${upto}) OR id = ANY(${gaps}::bigint[])
      ORDER BY id`.execute(trx);
    const ids = rows.map((r) => Number(r.id));
    const result = ids.length ? await handle(trx, ids) : null;
    const left = nextGaps(from, upto, gaps, ids);
    if (upto !== from || left.length !== gaps.length)
      await sql`UPDATE ${sql.table(table)} SET event_id = ${upto}, gaps = ${left}::bigint[] WHERE id = 1`.execute(
        trx,
      );
    return { result, more: max > upto };
  });
}
