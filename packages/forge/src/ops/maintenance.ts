// Housekeeping run by the job queue: an hourly job prunes expired web sessions and
// completed jobs older than a week, frees the handles of sign-ups whose verification link
// expired unused (pending accounts and handle reservations, audited), trims the clone pack
// cache to its budget, and deletes Open Graph pictures drawn more than OG_MAX_AGE_DAYS ago
// (a current one is drawn again on its next request; the others belong to subjects that
// have changed since).
// Registered by the server with every other job kind.
import { expireSignups } from "../accounts/handle-reservations.ts";
import type { Db } from "../db/db.ts";
import { pruneErrors } from "../error-tracking/error-store.ts";
import { deleteCompletedOlderThan, type JobHandler } from "../jobs/index.ts";
import type { ObjectStore } from "../objects/object-store.ts";
import { pruneObjects } from "../objects/prune.ts";
import { prunePackCache } from "../repos/pack-cache.ts";

const PACK_CACHE_MAX_BYTES = (Number(process.env.MICELIO_PACK_CACHE_MAX_MB) || 1024) * 1024 * 1024;

export const MAINTENANCE_JOB = "maintenance.prune";
export const MAINTENANCE_CRON = { name: "maintenance", pattern: "0 17 * * * *", kind: MAINTENANCE_JOB };

export const OG_MAX_AGE_DAYS = 30;
/** Validation step logs are kept this long; runs and their excerpts stay. */
export const VALIDATION_LOG_DAYS = 30;

export function maintenanceHandlers(
  db: Db,
  dataDir: string,
  objects: ObjectStore,
  errorRetentionDays = 30,
): Record<string, JobHandler> {
  return {
    [MAINTENANCE_JOB]: async () => {
      await db.deleteFrom("web_sessions").where("expires_at", "<", new Date()).execute();
      await expireSignups(db);
      await deleteCompletedOlderThan(db, new Date(Date.now() - 7 * 86_400_000));
      prunePackCache(dataDir, PACK_CACHE_MAX_BYTES);
      await pruneObjects(objects, "og/", new Date(Date.now() - OG_MAX_AGE_DAYS * 86_400_000));
      const logsBefore = new Date(Date.now() - VALIDATION_LOG_DAYS * 86_400_000);
      await db
        .updateTable("validation_steps")
        .set({ log_key: null })
        .where("run_id", "in", (eb) =>
          eb.selectFrom("validation_runs").select("id").where("created_at", "<", logsBefore),
        )
        .where("log_key", "is not", null)
        .execute();
      await pruneObjects(objects, "validation/", logsBefore);
      await pruneErrors(db, errorRetentionDays);
    },
  };
}
