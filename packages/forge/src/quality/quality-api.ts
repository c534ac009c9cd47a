// JSON (and CSV) API of the quality dashboard: a project's report, and the instance's over
// every project the caller may read.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRouter, json, problems, scoped } from "../api/openapi.ts";
import type { AppEnv } from "../http/context.ts";
import { CSV_TYPE, seriesCsv } from "./quality-csv.ts";
import { MAX_WEEKS } from "./quality-report.ts";
import { instanceQuality, projectQuality, type QualityReportJson } from "./quality-service.ts";

export const qualityApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const Query = z.object({
  weeks: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: `Weeks in the window (default 12, at most ${MAX_WEEKS}: more is capped)` }),
  format: z.enum(["json", "csv"]).optional().openapi({ description: "csv: the weekly series as CSV" }),
});
const Report = z.record(z.string(), z.unknown()).openapi("QualityReport");
const DESCRIPTION =
  "Weekly buckets (UTC, the last ending with today) over a window of `weeks` (default 12), people's sessions (human_*) and agents' (ai_*: an agent named, or an origin other than human) side by side: ai_share of sessions opened; opened, landed, rejected, abandoned; rejection_rate (rejected / (landed + rejected)); reviewed and review_hours (mean and median hours from ready for review, or opened, to a person's approval or rejection); slop and slop_rate; validations passed/failed/error, validation_pass_rate and validation_score (mean 0-100); tokens, landed_lines, tokens_per_landed_line. Then `totals` over the window, `by_model` (agents' sessions per model, same numbers), `by_agent` (token efficiency per agent: tokens per landed line, wasted tokens, restart loops, 30-day trend), `alerts` (each with kind, message, the recent and previous numbers and its threshold) and `thresholds`. `format=csv` answers the series as CSV, the same columns.";

const CSV = { "text/csv": { schema: z.string() } };
function answer(c: Context<AppEnv>, r: QualityReportJson, format: string | undefined, name: string) {
  c.header("Cache-Control", "private, no-cache");
  if (format === "csv")
    return c.body(seriesCsv(r.series), 200, {
      "Content-Type": CSV_TYPE,
      "Content-Disposition": `attachment; filename="${name}-quality.csv"`,
    }) as never;
  return c.json(r, 200);
}

qualityApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/quality",
    ...scoped("project:read"),
    tags: ["quality"],
    summary: "The project's quality dashboard: AI vs human contributions over time, per model, alerts",
    description: DESCRIPTION,
    request: { params: P, query: Query },
    responses: {
      200: { description: "The report", content: { ...json(Report, "").content, ...CSV } },
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { weeks, format } = c.req.valid("query");
    const { report } = await projectQuality(c.get("forge").db, c.get("viewer"), owner, project, { weeks });
    return answer(c, report, format, `${owner}-${project}`);
  },
);

qualityApi.openapi(
  createRoute({
    method: "get",
    path: "/quality",
    ...scoped("project:read"),
    tags: ["quality"],
    summary: "The instance's quality dashboard, over every project you may read",
    description: `Public projects and the private ones you may read, never others. ${DESCRIPTION} The instance's report also has \`by_project\` (up to 50 projects, most sessions first: opened, ai_opened, ai_share, rejection rates, agents' review hours and slop, and the kinds of the project's session-based alerts).`,
    request: { query: Query },
    responses: {
      200: { description: "The report", content: { ...json(Report, "").content, ...CSV } },
      400: problems[400],
    },
  }),
  async (c) => {
    const { weeks, format } = c.req.valid("query");
    return answer(
      c,
      await instanceQuality(c.get("forge").db, c.get("viewer"), { weeks }),
      format,
      "instance",
    );
  },
);
