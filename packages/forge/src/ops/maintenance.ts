// Housekeeping run by the job queue: an hourly job prunes expired web sessions and
// completed jobs older than a week, and trims the clone pack cache to its budget.
// Registered by the server with every other job kind.
import type { Db } from "../db/db.ts";
import { deleteCompletedOlderThan, type JobHandler } from "../jobs/index.ts";
import { prunePackCache } from "../repos/pack-cache.ts";

const PACK_CACHE_MAX_BYTES = (Number(process.env.MICELIO_PACK_CACHE_MAX_MB) || 1024) * 1024 * 1024;

export const MAINTENANCE_JOB = "maintenance.prune";
export const MAINTENANCE_CRON = { name: "maintenance", pattern: "0 17 * * * *", kind: MAINTENANCE_JOB };

export function maintenanceHandlers(db: Db, dataDir: string): Record<string, JobHandler> {
  return {
    [MAINTENANCE_JOB]: async () => {
      await db.deleteFrom("web_sessions").where("expires_at", "<", new Date()).execute();
      await deleteCompletedOlderThan(db, new Date(Date.now() - 7 * 86_400_000));
      prunePackCache(dataDir, PACK_CACHE_MAX_BYTES);
    },
  };
}
