// Tells maintainers when their agents' contributions are getting worse: once a day, for every
// project with agents' sessions in the last eight weeks, the quality report's alerts
// (quality-alerts.ts) go by mail to the project's administrators (trust/maintainer-alerts.ts),
// each kind — per agent for token efficiency — at most once a week per project.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import type { JobHandler } from "../jobs/types.ts";
import { alertProjectMaintainers } from "../trust/maintainer-alerts.ts";
import { projectQualityById } from "./quality-service.ts";

export const QUALITY_ALERTS_JOB = "quality.alerts";
export const QUALITY_ALERTS_CRON = {
  name: "quality-alerts",
  pattern: "0 7 4 * * *",
  kind: QUALITY_ALERTS_JOB,
};
const WEEKS = 8;
const MAX_PROJECTS = 500;

/** Sends what needs sending; returns the alerts mailed as "owner/project kind". */
export async function sendQualityAlerts(db: Db, now = new Date()): Promise<string[]> {
  const since = new Date(now.getTime() - WEEKS * 7 * 86_400_000);
  const { rows } = await sql<{ id: string; name: string }>`
    SELECT p.id, o.handle || '/' || p.handle AS name FROM projects p JOIN accounts o ON o.id = p.owner_id
    WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.project_id = p.id AND s.agent_name IS NOT NULL AND s.created_at >= ${since})
    ORDER BY p.id LIMIT ${MAX_PROJECTS}`.execute(db);
  const sent: string[] = [];
  for (const p of rows) {
    const report = await projectQualityById(db, p.id, { weeks: WEEKS, now });
    for (const a of report.alerts) {
      const mailed = await alertProjectMaintainers(db, p.id, {
        kind: `quality.${a.kind}${a.agent ? `:${a.agent}` : ""}`,
        subject: `Agents' contributions are getting worse: ${a.kind.replace(/-/g, " ")}`,
        text: `${a.message}\n\nThe project's quality dashboard shows the numbers week by week.`,
        path: `/${p.name}/quality`,
        everyHours: 24 * 7,
      });
      if (mailed.length) sent.push(`${p.name} ${a.kind}`);
    }
  }
  return sent;
}

export const qualityAlertHandlers = (db: Db): Record<string, JobHandler> => ({
  [QUALITY_ALERTS_JOB]: async () => {
    await sendQualityAlerts(db);
  },
});
