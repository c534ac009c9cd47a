// POST /api/v1/admin/advisories: an administrator imports OSV advisories (one record, an
// array, or {"vulns": [...]}, within the API's 1 MiB body; larger sets go through
// `micelio advisories import`). All records must be valid or none is imported (400 naming
// each refused record); records replace those of the same id; the import is audited.
import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin } from "../../admin/admin-api.ts";
import { apiRouter, json, jsonBody, problems, scoped } from "../../api/openapi.ts";
import { recordAudit } from "../../audit/audit.ts";
import { invalid } from "../../errors/app-error.ts";
import { advisoryCount, importAdvisories } from "./advisory-store.ts";
import { parseOsvDocuments } from "./osv-input.ts";

export const advisoriesApi = apiRouter();

advisoriesApi.openapi(
  createRoute({
    method: "post",
    path: "/admin/advisories",
    tags: ["admin"],
    summary: "Import OSV advisories for the dependency-audit step (administrators)",
    description:
      "The body is one OSV record (https://ossf.github.io/osv-schema/), a JSON array of them, or {vulns: [...]}. Each record replaces a stored one with the same id.",
    ...scoped("admin"),
    request: { body: jsonBody(z.unknown().openapi({ description: "OSV record(s)" })) },
    responses: {
      200: json(
        z.object({ imported: z.number().int(), total: z.number().int() }),
        "The advisories imported and the number stored",
      ),
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    requireAdmin(c);
    const { records, errors } = parseOsvDocuments(c.req.valid("json"));
    if (errors.length || !records.length)
      throw invalid(
        errors.length
          ? `${errors.length} advisory record(s) are not valid OSV`
          : "No advisory records in the body",
        errors
          .slice(0, 50)
          .map((e) => ({ field: `${e.index}${e.id ? ` (${e.id})` : ""}`, message: e.message })),
      );
    const db = c.get("forge").db;
    const imported = await importAdvisories(db, records, (tx, n) =>
      recordAudit(tx, c.get("viewer"), {
        action: "advisories.import",
        targetType: "advisories",
        targetId: records[0]!.id,
        target: `${n} advisories`,
        data: { ids: records.slice(0, 100).map((r) => r.id) },
      }),
    );
    return c.json({ imported, total: await advisoryCount(db) }, 200);
  },
);
