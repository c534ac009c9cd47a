// Advisories in the database: an import replaces each record by id (its affected packages
// with it) in one transaction, and the audit looks up the advisories of a lockfile's
// packages by ecosystem and name, a bounded number of names per query.
import type { Db } from "../../db/db.ts";
import type { LockedPackage } from "./lockfiles/locked.ts";
import { type AffectedEntry, normalizeOsv, type OsvRecord, packageKey } from "./osv.ts";

/** Imports records (replacing stored ones by id); `also` runs in the same transaction (the audit entry). */
export async function importAdvisories(
  db: Db,
  records: OsvRecord[],
  also?: (tx: Db, imported: number) => Promise<void>,
): Promise<number> {
  if (!records.length) return 0;
  // The last record of an id wins, as it would if the ids came in separate imports.
  const byId = new Map(records.map((r) => [r.id, normalizeOsv(r)]));
  await db.transaction().execute(async (tx) => {
    for (const a of byId.values()) {
      const row = {
        summary: a.summary,
        severity: a.severity,
        aliases: JSON.stringify(a.aliases),
        modified: a.modified,
      };
      await tx
        .insertInto("advisories")
        .values({ id: a.id, ...row })
        .onConflict((oc) => oc.column("id").doUpdateSet({ ...row, imported_at: new Date() }))
        .execute();
      await tx.deleteFrom("advisory_affected").where("advisory_id", "=", a.id).execute();
      for (let i = 0; i < a.affected.length; i += 200)
        await tx
          .insertInto("advisory_affected")
          .values(
            a.affected.slice(i, i + 200).map((e, j) => ({
              advisory_id: a.id,
              seq: i + j,
              ecosystem: e.ecosystem,
              name: e.name,
              ranges: JSON.stringify(e.ranges),
              versions: JSON.stringify(e.versions),
            })),
          )
          .execute();
    }
    await also?.(tx, byId.size);
  });
  return byId.size;
}

export async function advisoryCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom("advisories")
    .select((e) => e.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface KnownAdvisory extends AffectedEntry {
  id: string;
  summary: string;
  severity: string | null;
}

/** Advisories naming any of these packages, by `ecosystem:name`. */
export async function advisoriesFor(
  db: Db,
  packages: LockedPackage[],
): Promise<Map<string, KnownAdvisory[]>> {
  const out = new Map<string, KnownAdvisory[]>();
  const byEcosystem = new Map<string, Set<string>>();
  for (const p of packages) {
    const names = byEcosystem.get(p.ecosystem) ?? new Set<string>();
    names.add(packageKey(p.ecosystem, p.name));
    byEcosystem.set(p.ecosystem, names);
  }
  for (const [ecosystem, set] of byEcosystem) {
    const names = [...set];
    for (let i = 0; i < names.length; i += 1000) {
      const rows = await db
        .selectFrom("advisory_affected as f")
        .innerJoin("advisories as a", "a.id", "f.advisory_id")
        .select(["a.id", "a.summary", "a.severity", "f.ecosystem", "f.name", "f.ranges", "f.versions"])
        .where("f.ecosystem", "=", ecosystem)
        .where("f.name", "in", names.slice(i, i + 1000))
        .execute();
      for (const r of rows) {
        const key = `${r.ecosystem}:${r.name}`;
        const entry = { ...r, ranges: r.ranges as AffectedEntry["ranges"], versions: r.versions };
        out.set(key, [...(out.get(key) ?? []), entry]);
      }
    }
  }
  return out;
}
