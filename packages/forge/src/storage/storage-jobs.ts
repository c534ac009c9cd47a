// The revalidation job: every six hours a cron slot enqueues "storage.revalidate", which runs
// the bucket checks (validate-bucket.ts) again for every account's storage, one at a time, and
// records each outcome: a bucket that broke is marked failing (its owner sees why and
// artifacts fall back to the instance store), one that works again is cleared.

import type { Forge } from "../http/context.ts";
import type { JobHandler } from "../jobs/index.ts";
import { revalidateStorage } from "./storage-service.ts";

export const STORAGE_REVALIDATE_JOB = "storage.revalidate";
export const STORAGE_REVALIDATE_CRON = {
  name: "storage-revalidate",
  pattern: "0 23 */6 * * *",
  timezone: "UTC",
  kind: STORAGE_REVALIDATE_JOB,
};

/** Checks every account's bucket again; answers how many passed and failed. */
export async function revalidateAll(forge: Pick<Forge, "db" | "secrets" | "outbound">) {
  const counts = { ok: 0, failed: 0 };
  let after = "";
  for (;;) {
    const rows = await forge.db
      .selectFrom("storage_configs")
      .select(["id", "account_id"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(100)
      .execute();
    if (rows.length === 0) return counts;
    for (const row of rows) {
      after = row.id;
      const check = await revalidateStorage(forge, row.account_id);
      if (check?.ok) counts.ok++;
      else if (check) counts.failed++;
    }
  }
}

export function storageJobHandlers(forge: Forge): Record<string, JobHandler> {
  return {
    [STORAGE_REVALIDATE_JOB]: async () => {
      const counts = await revalidateAll(forge);
      if (counts.failed) forge.log.warn(counts, "storage: buckets failed their checks");
    },
  };
}
