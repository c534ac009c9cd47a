// Suspending an account from the review queue: the suspension itself is admin/'s; here it
// settles every open entry of the account and records the decision. Kept apart from
// review-store.ts so that the signal watchers do not load the administration services.
import type { Viewer } from "../accounts/viewer.ts";
import { suspendAccount } from "../admin/admin-service.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { openEntry } from "./review-store.ts";

/** Suspends the account (admin/) and settles all its open entries; audited. */
export async function suspendFromReview(db: Db, viewer: Viewer, id: string, reason = "") {
  const entry = await openEntry(db, id);
  await suspendAccount(db, viewer, entry.handle, reason || `Review: ${entry.explanation}`.slice(0, 500));
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("review_queue")
      .set({ state: "suspended", resolved_at: new Date(), resolved_by: viewer.user?.id ?? null })
      .where("account_id", "=", entry.account_id)
      .where("state", "=", "open")
      .execute();
    await recordAudit(trx, viewer, {
      action: "abuse.suspend",
      targetType: "account",
      targetId: entry.account_id,
      target: entry.handle,
      data: { review_id: id, signal: entry.signal, reason },
    });
  });
}
