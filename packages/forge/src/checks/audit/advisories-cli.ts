// `micelio advisories import FILE...`: an administrator loads OSV advisories into the forge
// (the dependency-audit step fetches nothing). Each file holds one OSV record, a JSON array
// of them, or {"vulns": [...]}; invalid records are named and skipped, the valid ones
// imported (replacing records of the same id). Exit 0 when everything was imported, 1 when
// some records or files were refused, 2 on wrong usage. With the embedded database, run it
// while the forge is stopped (or use POST /api/v1/admin/advisories while it runs).
import { readFile, stat } from "node:fs/promises";
import type { DatabaseHandle } from "../../db/db.ts";
import { migrate } from "../../db/migrate.ts";
import { advisoryCount, importAdvisories } from "./advisory-store.ts";
import { parseOsvDocuments } from "./osv-input.ts";

/** A file larger than this is refused unread. */
export const MAX_ADVISORY_FILE_BYTES = 256 * 1024 * 1024;

export const ADVISORIES_USAGE =
  'Usage: micelio advisories import FILE...\n\nImports OSV advisories (one record, a JSON array, or {"vulns": [...]}) for the dependency-audit step.\n';

interface Io {
  open: () => Promise<DatabaseHandle>;
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function advisoriesCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...files] = args;
  if (sub !== "import" || !files.length) {
    io.err(ADVISORIES_USAGE);
    return 2;
  }
  const records = [];
  let refused = 0;
  for (const file of files) {
    let value: unknown;
    try {
      if ((await stat(file)).size > MAX_ADVISORY_FILE_BYTES)
        throw new Error(`larger than ${MAX_ADVISORY_FILE_BYTES >> 20} MiB`);
      value = JSON.parse(await readFile(file, "utf8"));
    } catch (err) {
      refused++;
      io.err(`${file}: ${(err as Error).message}\n`);
      continue;
    }
    const parsed = parseOsvDocuments(value);
    for (const e of parsed.errors)
      io.err(`${file}: record ${e.index}${e.id ? ` (${e.id})` : ""}: ${e.message}\n`);
    refused += parsed.errors.length;
    records.push(...parsed.records);
  }
  const handle = await io.open();
  try {
    await migrate(handle);
    const imported = await importAdvisories(handle.db, records);
    io.out(`imported ${imported} advisories (${await advisoryCount(handle.db)} on this forge)\n`);
  } finally {
    await handle.close();
  }
  return refused ? 1 : 0;
}
