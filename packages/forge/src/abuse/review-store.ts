// The administrators' review queue: accounts flagged by an abuse signal, each entry with its
// explanation (which signal, the numbers, when). At most one open entry per account and
// signal. Administrators dismiss an entry or suspend the account (which settles all its open
// entries); flags and decisions go to the audit log.
import { ulid } from "@micelio/core/ulid";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import { conflict, notFound } from "../errors/app-error.ts";
import type { Signal } from "./abuse-signals.ts";

export const REVIEW_STATES = ["open", "dismissed", "suspended"] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** Puts the account in the queue for `signal`; false when an open entry for it already exists. */
export async function flagAccount(
  db: Db,
  account: { id: string; handle: string },
  signal: Signal,
  explanation: string,
  data: Record<string, unknown>,
  ip = "",
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("review_queue")
      .values({
        id: ulid(),
        account_id: account.id,
        signal,
        explanation,
        data: JSON.stringify(data),
      })
      .onConflict((oc) => oc.columns(["account_id", "signal"]).where("state", "=", "open").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return false;
    await recordAudit(
      trx,
      { user: null, ip },
      {
        action: "abuse.flag",
        targetType: "account",
        targetId: account.id,
        target: account.handle,
        data: { review_id: inserted.id, signal, explanation, ...data },
      },
    );
    return true;
  });
}

export async function listReview(db: Db, opts: { state?: ReviewState; limit?: number } = {}) {
  const rows = await db
    .selectFrom("review_queue")
    .innerJoin("accounts", "accounts.id", "review_queue.account_id")
    .leftJoin("accounts as resolver", "resolver.id", "review_queue.resolved_by")
    .selectAll("review_queue")
    .select([
      "accounts.handle as handle",
      "accounts.suspended_at as suspended_at",
      "resolver.handle as resolver_handle",
    ])
    .where("review_queue.state", "=", opts.state ?? "open")
    .orderBy("review_queue.created_at", "desc")
    .orderBy("review_queue.id", "desc")
    .limit(Math.min(opts.limit ?? 100, 500))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    account: r.handle,
    account_suspended: r.suspended_at !== null,
    signal: r.signal,
    explanation: r.explanation,
    data: r.data,
    state: r.state,
    created_at: r.created_at.toISOString(),
    resolved_at: r.resolved_at?.toISOString() ?? null,
    resolved_by: r.resolver_handle ?? null,
  }));
}
export type ReviewEntry = Awaited<ReturnType<typeof listReview>>[number];

export async function openEntry(db: Db, id: string) {
  const entry = await db
    .selectFrom("review_queue")
    .innerJoin("accounts", "accounts.id", "review_queue.account_id")
    .selectAll("review_queue")
    .select("accounts.handle as handle")
    .where("review_queue.id", "=", id)
    .executeTakeFirst();
  if (!entry) throw notFound("No such review entry");
  if (entry.state !== "open") throw conflict(`This entry was already settled (${entry.state})`);
  return entry;
}

/** Dismisses an entry: the account stays as it is; audited with the reason. */
export async function dismissReview(db: Db, viewer: Viewer, id: string, reason = "") {
  const entry = await openEntry(db, id);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("review_queue")
      .set({ state: "dismissed", resolved_at: new Date(), resolved_by: viewer.user?.id ?? null })
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, viewer, {
      action: "abuse.dismiss",
      targetType: "account",
      targetId: entry.account_id,
      target: entry.handle,
      data: { review_id: id, signal: entry.signal, reason },
    });
  });
}
