// Key rotation for secrets at rest: every sealed value in the database is opened (with the
// current key or one of MICELIO_SECRET_KEY_PREVIOUS) and sealed again with the current key.
// Resumable by construction: it works in small batches of rows not yet sealed with the current
// key, each update guarded by the value it replaces, so a stopped run (or two at once) picks up
// where it stopped and never loses a value written meanwhile. Values no key opens are counted
// and left alone (restoring their key repairs them). `micelio rotate-key` runs it.
// Every table and column that holds sealed values is listed in SEALED_COLUMNS: a feature that
// seals a new column adds it here (crypto/rotate-key.test.ts checks each listed column exists
// and is re-sealed).
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { SEALED_PREFIX, type SecretBox, SecretBoxError } from "./secret-box.ts";

export interface SealedColumn {
  table: string;
  /** The row's key column (unique). */
  id: string;
  column: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "user_totp", id: "user_id", column: "secret" },
  { table: "oauth_flows", id: "id", column: "code_verifier" },
  { table: "oauth_flows", id: "id", column: "invite" },
  { table: "oauth_signups", id: "id", column: "invite" },
  { table: "webhooks", id: "id", column: "secret" },
  { table: "federation_keys", id: "owner_id", column: "private_jwk" },
  { table: "storage_configs", id: "id", column: "access_key_id" },
  { table: "storage_configs", id: "id", column: "secret_access_key" },
];

export interface RotationReport {
  /** Values sealed again with the current key. */
  resealed: number;
  /** Sealed values no accepted key opens (left as they are). */
  unreadable: number;
  /** Per table.column, what was done. */
  columns: { name: string; resealed: number; unreadable: number }[];
}

const BATCH = 200;

/** Seals every sealed value again with `box`'s current key; safe to stop and run again. */
export async function rotateSecrets(
  db: Db,
  box: SecretBox,
  onProgress: (name: string, resealed: number) => void = () => {},
): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, unreadable: 0, columns: [] };
  const current = `${SEALED_PREFIX}v1:${box.keyId}:%`;
  for (const c of SEALED_COLUMNS) {
    const name = `${c.table}.${c.column}`;
    const done = { name, resealed: 0, unreadable: 0 };
    let after = "";
    for (;;) {
      const rows = (
        await sql<{ id: string; value: string }>`
          SELECT ${sql.ref(c.id)}::text AS id, ${sql.ref(c.column)} AS value FROM ${sql.table(c.table)}
          WHERE ${sql.ref(c.column)} LIKE ${`${SEALED_PREFIX}%`} AND ${sql.ref(c.column)} NOT LIKE ${current}
            AND ${sql.ref(c.id)}::text > ${after}
          ORDER BY ${sql.ref(c.id)}::text LIMIT ${BATCH}`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.id;
        let plain: string;
        try {
          plain = box.open(row.value);
        } catch (err) {
          if (!(err instanceof SecretBoxError)) throw err;
          done.unreadable++; // the cursor moves past it
          continue;
        }
        const updated = await sql`
          UPDATE ${sql.table(c.table)} SET ${sql.ref(c.column)} = ${box.seal(plain)}
          WHERE ${sql.ref(c.id)}::text = ${row.id} AND ${sql.ref(c.column)} = ${row.value}`.execute(db);
        done.resealed += Number(updated.numAffectedRows ?? 0n);
      }
      onProgress(name, done.resealed);
    }
    report.resealed += done.resealed;
    report.unreadable += done.unreadable;
    report.columns.push(done);
  }
  return report;
}

/** How many sealed values are not yet sealed with the current key (0: the old keys can go). */
export async function pendingRotation(db: Db, box: SecretBox): Promise<number> {
  let total = 0;
  for (const c of SEALED_COLUMNS) {
    const row = (
      await sql<{ n: string }>`
        SELECT count(*)::text AS n FROM ${sql.table(c.table)}
        WHERE ${sql.ref(c.column)} LIKE ${`${SEALED_PREFIX}%`}
          AND ${sql.ref(c.column)} NOT LIKE ${`${SEALED_PREFIX}v1:${box.keyId}:%`}`.execute(db)
    ).rows[0];
    total += Number(row?.n ?? 0);
  }
  return total;
}
