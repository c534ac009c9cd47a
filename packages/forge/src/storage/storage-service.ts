// An account's storage settings: a user's own (themselves) or an organization's (its owners).
// Saving checks the settings (storage-settings.ts) and the bucket (validate-bucket.ts) first,
// then stores them with both keys sealed by the instance's secret box; reading never shows the
// secret (and only the end of the access key id); every change is audited, without the keys.

import { ulid } from "@micelio/core/ulid";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { Db } from "../db/db.ts";
import type { StorageConfigsTable } from "../db/schema.ts";
import { AppError, invalid, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { getOrg, requireOrgOwner } from "../orgs/orgs-service.ts";
import type { OutboundDeps } from "../outbound/outbound-client.ts";
import { limitBucketChecks } from "./check-limit.ts";
import {
  normalizeSettings,
  type Provider,
  type StorageSettings,
  StorageSettingsError,
  storageInputSchema,
} from "./storage-settings.ts";
import { type BucketCheck, validateBucket } from "./validate-bucket.ts";

export type StorageScope = { kind: "user" } | { kind: "org"; org: string };

export interface StorageDeps {
  db: Db;
  secrets: SecretBox;
  outbound: OutboundDeps;
  /** Limits bucket checks per account (check-limit.ts); none in jobs. */
  limiter?: RateLimiter;
}

type Row = Omit<StorageConfigsTable, "path_prefix" | "failures_in_row" | "created_at" | "updated_at"> & {
  path_prefix: string;
  failures_in_row: number;
  created_at: Date;
  updated_at: Date;
};

/** The account whose storage the scope names, after checking the viewer may manage it. */
export async function storageAccount(db: Db, viewer: Viewer, scope: StorageScope) {
  if (!viewer.user) throw unauthorized();
  if (scope.kind === "user") return { id: viewer.user.id, handle: viewer.user.handle, kind: "user" as const };
  const org = await getOrg(db, scope.org);
  await requireOrgOwner(db, viewer, org);
  return { id: org.id, handle: org.handle, kind: "org" as const };
}

export const storageRow = (db: Db, accountId: string) =>
  db
    .selectFrom("storage_configs")
    .selectAll()
    .where("account_id", "=", accountId)
    .executeTakeFirst() as Promise<Row | undefined>;

/** The settings of a stored row, keys opened (throws SecretBoxError if no accepted key opens them). */
export function settingsOf(row: Row, box: SecretBox): StorageSettings {
  return normalizeSettings({
    provider: row.provider as Provider,
    bucket: row.bucket,
    region: row.region,
    endpoint: row.endpoint ?? "",
    path_prefix: row.path_prefix,
    access_key_id: box.open(row.access_key_id),
    secret_access_key: box.open(row.secret_access_key),
  });
}

const hint = (box: SecretBox, sealed: string) => {
  try {
    const id = box.open(sealed);
    return id.length > 8 ? `…${id.slice(-4)}` : "…";
  } catch {
    return "(sealed with a key this forge no longer has: save the settings again)";
  }
};

/** What the API and page show: never the secret, only the end of the access key id. */
export function storageJson(row: Row, box: SecretBox) {
  return {
    provider: row.provider,
    bucket: row.bucket,
    region: row.region,
    endpoint: row.endpoint,
    path_prefix: row.path_prefix,
    access_key_id_hint: hint(box, row.access_key_id),
    status: row.failing_since ? "failing" : row.validated_at ? "ok" : "unvalidated",
    validated_at: row.validated_at?.toISOString() ?? null,
    last_error: row.last_error,
    failing_since: row.failing_since?.toISOString() ?? null,
    updated_at: row.updated_at.toISOString(),
  };
}
export type StorageJson = ReturnType<typeof storageJson>;

/** Checks the input and the bucket; throws invalid (422) naming the field or the failed step. */
export async function checkStorageInput(deps: StorageDeps, input: unknown) {
  const data = requireValid(storageInputSchema, input);
  let settings: StorageSettings;
  try {
    settings = normalizeSettings(data);
  } catch (err) {
    if (err instanceof StorageSettingsError)
      throw invalid(err.message, [{ field: err.field, message: err.message }]);
    throw err;
  }
  const check = await validateBucket(settings, deps.outbound);
  if (!check.ok)
    throw new AppError("invalid", `The bucket did not pass its checks: ${check.message}`, {
      errors: [{ field: check.step === "endpoint" ? "endpoint" : "bucket", message: check.message ?? "" }],
      validation_log: check.log,
    });
  return { settings, check };
}

/** Sets (or replaces) the account's storage once the bucket passed its checks. */
export async function saveStorage(
  deps: StorageDeps,
  viewer: Viewer,
  scope: StorageScope,
  input: unknown,
): Promise<StorageJson & { validation_log: string[] }> {
  const account = await storageAccount(deps.db, viewer, scope);
  await limitBucketChecks(deps.limiter, account.id);
  const { settings, check } = await checkStorageInput(deps, input);
  const values = {
    provider: settings.provider,
    bucket: settings.bucket,
    region: settings.region,
    endpoint: settings.endpoint ?? null,
    path_prefix: settings.pathPrefix,
    access_key_id: deps.secrets.seal(settings.accessKeyId),
    secret_access_key: deps.secrets.seal(settings.secretAccessKey),
    validated_at: new Date(),
    last_error: null,
    failing_since: null,
    failures_in_row: 0,
    updated_at: new Date(),
  };
  const row = await deps.db.transaction().execute(async (trx) => {
    const saved = await trx
      .insertInto("storage_configs")
      .values({ id: ulid(), account_id: account.id, ...values })
      .onConflict((oc) => oc.column("account_id").doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, viewer, {
      action: "storage.set",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
      data: {
        provider: settings.provider,
        bucket: settings.bucket,
        region: settings.region,
        endpoint: settings.endpoint ?? null,
        path_prefix: settings.pathPrefix,
      },
    });
    return saved as Row;
  });
  return { ...storageJson(row, deps.secrets), validation_log: check.log };
}

export async function getStorage(deps: StorageDeps, viewer: Viewer, scope: StorageScope) {
  const account = await storageAccount(deps.db, viewer, scope);
  const row = await storageRow(deps.db, account.id);
  if (!row) throw notFound("No storage is set: artifacts are kept in the instance's store");
  return storageJson(row, deps.secrets);
}

/** Removes the settings: the account's artifacts go to the instance store from now on. */
export async function deleteStorage(deps: StorageDeps, viewer: Viewer, scope: StorageScope) {
  const account = await storageAccount(deps.db, viewer, scope);
  await deps.db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom("storage_configs")
      .where("account_id", "=", account.id)
      .returning(["bucket", "provider"])
      .executeTakeFirst();
    if (!gone) throw notFound("No storage is set");
    await recordAudit(trx, viewer, {
      action: "storage.delete",
      targetType: "account",
      targetId: account.id,
      target: account.handle,
      data: gone,
    });
  });
}

/** Runs the checks again on the stored settings and records the outcome (the revalidation job, "Check again"). */
export async function revalidateStorage(deps: StorageDeps, accountId: string): Promise<BucketCheck | null> {
  const row = await storageRow(deps.db, accountId);
  if (!row) return null;
  let check: BucketCheck;
  try {
    check = await validateBucket(settingsOf(row, deps.secrets), deps.outbound);
  } catch (err) {
    check = { ok: false, message: (err as Error).message, log: [] };
  }
  const q = deps.db.updateTable("storage_configs").where("id", "=", row.id);
  if (check.ok)
    await q
      .set({ validated_at: new Date(), last_error: null, failing_since: null, failures_in_row: 0 })
      .execute();
  else
    await q
      .set((eb) => ({
        last_error: check.message ?? "failed",
        failing_since: row.failing_since ?? new Date(),
        failures_in_row: eb("failures_in_row", "+", 1),
      }))
      .execute();
  return check;
}
