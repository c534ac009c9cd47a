// What an administrator imports: one OSV record, a JSON array of them, or an object with a
// `vulns` array (as OSV's query API answers), from a file or a request body. Each record is
// checked on its own; the ones that fail are named (by position and id) with the reason.
import { isRecord } from "./lockfiles/locked.ts";
import { type OsvRecord, osvSchema } from "./osv.ts";

/** Records in one import; a bigger set is split into several imports. */
export const MAX_IMPORT_RECORDS = 20_000;

export interface OsvInputError {
  index: number;
  id: string | null;
  message: string;
}

export function parseOsvDocuments(value: unknown): { records: OsvRecord[]; errors: OsvInputError[] } {
  const list = Array.isArray(value)
    ? value
    : isRecord(value) && Array.isArray(value.vulns)
      ? value.vulns
      : [value];
  if (list.length > MAX_IMPORT_RECORDS)
    return {
      records: [],
      errors: [{ index: 0, id: null, message: `more than ${MAX_IMPORT_RECORDS} records: split the import` }],
    };
  const records: OsvRecord[] = [];
  const errors: OsvInputError[] = [];
  for (const [index, item] of list.entries()) {
    const r = osvSchema.safeParse(item);
    if (r.success) {
      records.push(r.data);
      continue;
    }
    const issue = r.error.issues[0];
    const id = isRecord(item) && typeof item.id === "string" ? item.id.slice(0, 200) : null;
    errors.push({
      index,
      id,
      message: `${issue?.path.join(".") || "record"}: ${issue?.message ?? "invalid"}`,
    });
  }
  return { records, errors };
}
