// Housekeeping run by the job queue: an hourly job prunes expired web sessions and
// completed jobs older than a week. Registered by the server with every other job kind.
import type { Db } from "../db/db.ts";
import { deleteCompletedOlderThan, type JobHandler } from "../jobs/index.ts";

export const MAINTENANCE_JOB = "maintenance.prune";
export const MAINTENANCE_CRON = { name: "maintenance", pattern: "0 17 * * * *", kind: MAINTENANCE_JOB };

export function maintenanceHandlers(db: Db): Record<string, JobHandler> {
  return {
    [MAINTENANCE_JOB]: async () => {
      await db.deleteFrom("web_sessions").where("expires_at", "<", new Date()).execute();
      await deleteCompletedOlderThan(db, new Date(Date.now() - 7 * 86_400_000));
    },
  };
}
