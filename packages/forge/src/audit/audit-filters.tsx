// The filter form of the audit pages (actor, action, target, date range) with the link that
// exports the same selection as JSON lines, and the answer for ?format=jsonl.
import type { Context } from "hono";
import type { Db } from "../db/db.ts";
import type { AppEnv } from "../http/context.ts";
import type { AuditQuery } from "./audit.ts";
import { exportAudit, NDJSON } from "./audit-export.ts";

export const FILTER_FIELDS = ["actor", "action", "target", "from", "to"] as const;

/** The filters present in the request's query string. */
export function filterValues(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_FIELDS) {
    const v = c.req.query(k)?.trim();
    if (v) out[k] = v.slice(0, 200);
  }
  return out;
}

/** `base` with the filters (and extra parameters) as its query string. */
export function withFilters(
  base: string,
  values: Record<string, string>,
  extra: Record<string, string> = {},
) {
  const qs = new URLSearchParams({ ...values, ...extra }).toString();
  return qs ? `${base}?${qs}` : base;
}

export function AuditFilterForm(props: { action: string; values: Record<string, string> }) {
  const v = props.values;
  return (
    <form method="get" action={props.action} class="audit-filters">
      <fieldset>
        <legend>Filter</legend>
        <label for="f-actor">Actor</label>
        <input id="f-actor" name="actor" value={v.actor ?? ""} placeholder="handle, or - for none" />
        <label for="f-action">Action</label>
        <input id="f-action" name="action" value={v.action ?? ""} placeholder="project.create or project.*" />
        <label for="f-target">Target</label>
        <input id="f-target" name="target" value={v.target ?? ""} />
        <label for="f-from">From</label>
        <input id="f-from" name="from" type="date" value={v.from ?? ""} />
        <label for="f-to">To</label>
        <input id="f-to" name="to" type="date" value={v.to ?? ""} />
        <p>
          <button type="submit">Filter</button> <a href={props.action}>Clear</a> ·{" "}
          <a href={withFilters(props.action, v, { format: "jsonl" })} download="audit.jsonl">
            Export as JSON lines
          </a>
        </p>
      </fieldset>
    </form>
  );
}

/** The whole selection as a JSON-lines download. */
export async function jsonlAnswer(c: Context<AppEnv>, db: Db, q: AuditQuery, filename: string) {
  return c.body(await exportAudit(db, q), 200, {
    "Content-Type": NDJSON,
    "Content-Disposition": `attachment; filename="${filename}"`,
  });
}
